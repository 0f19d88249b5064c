import { Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import type { IHttpApi, IWebSocketApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { type CustomDomain, type EdgeContext, ParleyContextError } from '../parley-context';
import { accessLogBucket } from './access-log-bucket';

export interface EdgeProtectionProps {
  readonly httpApi: IHttpApi;
  readonly webSocketApi: IWebSocketApi;
  /** The WebSocket stage: clients connect to wss://<edge>/<stageName>. */
  readonly stageName: string;
  readonly edge: EdgeContext;
  /** A custom domain for the edge distribution (TLS 1.2 minimum). */
  readonly domain?: CustomDomain;
}

/** Paths that issue tokens: the tighter per-IP rate applies to them. */
export const AUTH_PATH_PREFIX = '/v1/auth/';

/** WAF's rate-based rules count requests per IP over this window. */
const RATE_WINDOW_SECONDS = 300;

const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
  cloudWatchMetricsEnabled: true,
  sampledRequestsEnabled: true,
  metricName,
});

/**
 * WAF cannot attach to HTTP APIs or WebSocket APIs, so this puts a CloudFront distribution in
 * front of both (HTTP API at `/`, the WebSocket stage at `/<stage>`) and attaches a WAFv2 web
 * ACL (scope CLOUDFRONT) to it: AWS's IP reputation and known-bad-inputs rule groups, and
 * rate-based rules per client IP, tighter on /v1/auth/*. The ACL is created here only when the
 * stack deploys to us-east-1 (where CLOUDFRONT web ACLs live); elsewhere give the ARN of one
 * created there (`webAclArn`). WAF sees HTTP requests and the WebSocket upgrade, not frames.
 */
export class EdgeProtectionConstruct extends Construct {
  /** The web ACL attached to this distribution and the web pages' one. */
  readonly webAclArn: string;
  /** Present when this stack created the web ACL (not when `webAclArn` was given). */
  readonly webAcl?: wafv2.CfnWebACL;
  readonly wafLogGroup?: LogGroup;
  readonly distribution: cloudfront.Distribution;
  readonly logBucket: s3.Bucket;
  /** https://<edge host>/ : the HTTP API through CloudFront. */
  readonly httpUrl: string;
  /** wss://<edge host>/<stage> : the WebSocket API through CloudFront. */
  readonly webSocketUrl: string;
  readonly hasCustomDomain: boolean;

  constructor(scope: Construct, id: string, props: EdgeProtectionProps) {
    super(scope, id);
    const stack = Stack.of(this);

    if (props.edge.webAclArn !== undefined) {
      this.webAclArn = props.edge.webAclArn;
    } else {
      if (Token.isUnresolved(stack.region) || stack.region !== 'us-east-1') {
        const where = Token.isUnresolved(stack.region) ? 'no region (environment-agnostic)' : stack.region;
        throw new ParleyContextError(
          `Invalid Parley context: webAcl needs a web ACL of scope CLOUDFRONT, which AWS keeps in us-east-1, but this stack has ${where}. ` +
            'Deploy the stack with -c region=us-east-1, or create the web ACL in us-east-1 and pass -c webAclArn=arn:aws:wafv2:us-east-1:...:global/webacl/...',
        );
      }
      const { webAcl, logGroup } = this.createWebAcl(props.edge);
      this.webAcl = webAcl;
      this.wafLogGroup = logGroup;
      this.webAclArn = webAcl.attrArn;
    }

    this.logBucket = accessLogBucket(this, 'AccessLogs');

    const apiHost = (apiId: string) => `${apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
    const originOptions = {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
    };
    // Nothing is cached; every header but Host (API Gateway routes on its own host name),
    // the query string (the WebSocket token) and the body go to the API.
    const passThrough = {
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    };

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Parley APIs behind the web ACL',
      defaultBehavior: {
        origin: new origins.HttpOrigin(apiHost(props.httpApi.apiId), originOptions),
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        ...passThrough,
      },
      additionalBehaviors: {
        [`/${props.stageName}`]: {
          origin: new origins.HttpOrigin(apiHost(props.webSocketApi.apiId), originOptions),
          allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
          ...passThrough,
        },
      },
      webAclId: this.webAclArn,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront-api/',
      ...(props.domain === undefined
        ? {}
        : {
            domainNames: [props.domain.domainName],
            certificate: Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn),
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }),
    });

    this.hasCustomDomain = props.domain !== undefined;
    const host = props.domain?.domainName ?? this.distribution.distributionDomainName;
    this.httpUrl = `https://${host}/`;
    this.webSocketUrl = `wss://${host}/${props.stageName}`;
  }

  private createWebAcl(edge: EdgeContext): { webAcl: wafv2.CfnWebACL; logGroup: LogGroup } {
    const stack = Stack.of(this);
    const managed = (name: string, priority: number): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      visibilityConfig: visibility(name),
    });
    const ratePerIp = (name: string, priority: number, limit: number, scopeDown?: wafv2.CfnWebACL.StatementProperty) => ({
      name,
      priority,
      action: { block: { customResponse: { responseCode: 429 } } },
      statement: {
        rateBasedStatement: {
          limit,
          aggregateKeyType: 'IP',
          evaluationWindowSec: RATE_WINDOW_SECONDS,
          ...(scopeDown === undefined ? {} : { scopeDownStatement: scopeDown }),
        },
      },
      visibilityConfig: visibility(name),
    });

    const webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      description: 'Parley: IP reputation, known bad inputs, rate limits per client IP',
      visibilityConfig: visibility('ParleyWebAcl'),
      rules: [
        // Sources AWS has seen attacking (botnets, scanners): blocked before anything else.
        managed('AWSManagedRulesAmazonIpReputationList', 0),
        // Exploit patterns in paths, headers and bodies (Log4j, Java deserialization, ...).
        // Deliberately not the common rule set: its SizeRestrictions_BODY (8 KB) and generic
        // XSS/LFI rules would refuse legitimate JSON bodies, and WAF never sees chat frames.
        managed('AWSManagedRulesKnownBadInputsRuleSet', 1),
        ratePerIp('AuthRatePerIp', 2, edge.authRateLimitPerIp, {
          byteMatchStatement: {
            searchString: AUTH_PATH_PREFIX,
            fieldToMatch: { uriPath: {} },
            positionalConstraint: 'STARTS_WITH',
            textTransformations: [{ priority: 0, type: 'NONE' }],
          },
        }),
        ratePerIp('RatePerIp', 3, edge.rateLimitPerIp),
      ],
    });

    // WAF logs to a group whose name starts with aws-waf-logs-; tokens are redacted from them.
    const logGroup = new LogGroup(this, 'WafLogs', {
      logGroupName: `aws-waf-logs-${stack.stackName}`,
      retention: RetentionDays.ONE_MONTH,
    });
    new wafv2.CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: webAcl.attrArn,
      logDestinationConfigs: [
        Arn.format(
          { service: 'logs', resource: 'log-group', resourceName: logGroup.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME },
          stack,
        ),
      ],
      redactedFields: [{ singleHeader: { Name: 'authorization' } }, { queryString: {} }],
    });
    return { webAcl, logGroup };
  }
}
