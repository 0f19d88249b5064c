import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { buildWebAssetsSync, configScript } from '../../clients/build';
import type { CustomDomain } from '../parley-context';
import { accessLogBucket } from './access-log-bucket';
import { regionalName, WEB_SITE_ACCESS_CONTROL_SUFFIX } from './naming';

/** Names the site bucket's origin access control (CloudFront caps those names at 64 characters). */
export { WEB_SITE_ACCESS_CONTROL_SUFFIX };

export interface WebHostingProps {
  /** The HTTP API's base URL and the WebSocket URL, written into config.js at deploy time. */
  readonly httpApiUrl: string;
  readonly webSocketUrl: string;
  /** An already built folder (clients/build.ts); built into a temporary folder when absent. */
  readonly assetsDir?: string;
  /** A WAFv2 web ACL (scope CLOUDFRONT) to attach, when the `webAcl` option is on. */
  readonly webAclArn?: string;
  /**
   * A custom domain with its ACM certificate (us-east-1): served with TLS 1.2 at least.
   * Without one, CloudFront's default certificate cannot raise the minimum protocol.
   */
  readonly domain?: CustomDomain;
}

/**
 * The widget (widget.js), the agent console (/console/) and a demo host page (/demo/) on a
 * private S3 bucket behind CloudFront (origin access control, HTTPS only, security headers).
 * config.js, naming this stack's endpoints, is generated at deploy time from their tokens.
 */
export class WebHostingConstruct extends Construct {
  readonly bucket: s3.Bucket;
  readonly logBucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly deployment: s3deploy.BucketDeployment;
  readonly securityHeaders: cloudfront.ResponseHeadersPolicy;
  /** https://<custom domain, or the distribution's domain> */
  readonly url: string;
  /** The endpoints config.js names for the widget and console. */
  readonly endpoints: { readonly httpUrl: string; readonly wsUrl: string };
  /** What the distribution was given (nag suppressions depend on them). */
  readonly webAclArn?: string;
  readonly domain?: CustomDomain;

  constructor(scope: Construct, id: string, props: WebHostingProps) {
    super(scope, id);

    // Access logs of the bucket and of CloudFront; CloudFront's standard logging needs ACLs.
    this.logBucket = accessLogBucket(this, 'AccessLogs');

    this.bucket = new s3.Bucket(this, 'Site', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 's3/',
      // Everything in it is rebuilt by every deployment; kept on stack deletion like the table.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Response headers policies and origin access controls are named per account, not per region.
    this.securityHeaders = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      responseHeadersPolicyName: regionalName(this, 'web-security-headers'),
      comment: 'Parley web pages: HSTS, CSP, no sniffing, no framing',
      securityHeadersBehavior: {
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
        contentSecurityPolicy: {
          // The pages talk to API Gateway (HTTPS and WSS) on other hosts; inline styles only
          // for the widget's shadow-root stylesheet and the demo page.
          contentSecurityPolicy:
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self' https: wss:; " +
            "img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
          override: true,
        },
      },
    });

    // S3 through OAC has no directory indexes: /console/ means /console/index.html.
    const directoryIndex = new cloudfront.Function(this, 'DirectoryIndex', {
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: 'Serves index.html for directory paths; redirects / to the console',
      code: cloudfront.FunctionCode.fromInline(
        [
          'function handler(event) {',
          '  var request = event.request;',
          "  if (request.uri === '/') return { statusCode: 302, statusDescription: 'Found', headers: { location: { value: '/console/' } } };",
          "  if (request.uri === '/console' || request.uri === '/demo') return { statusCode: 301, statusDescription: 'Moved Permanently', headers: { location: { value: request.uri + '/' } } };",
          "  if (request.uri.endsWith('/')) request.uri += 'index.html';",
          '  return request;',
          '}',
        ].join('\n'),
      ),
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Parley widget and agent console',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket, {
          originAccessControl: new cloudfront.S3OriginAccessControl(this, 'SiteAccessControl', {
            originAccessControlName: regionalName(this, WEB_SITE_ACCESS_CONTROL_SUFFIX),
          }),
        }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.securityHeaders,
        compress: true,
        functionAssociations: [{ function: directoryIndex, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
      ...(props.webAclArn === undefined ? {} : { webAclId: props.webAclArn }),
      ...(props.domain === undefined
        ? {}
        : {
            domainNames: [props.domain.domainName],
            certificate: Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn),
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }),
    });
    if (props.webAclArn !== undefined) this.webAclArn = props.webAclArn;
    if (props.domain !== undefined) this.domain = props.domain;

    this.endpoints = { httpUrl: props.httpApiUrl, wsUrl: props.webSocketUrl };
    const assetsDir = props.assetsDir ?? WebHostingConstruct.buildAssets();
    this.deployment = new s3deploy.BucketDeployment(this, 'Deploy', {
      destinationBucket: this.bucket,
      sources: [
        s3deploy.Source.asset(assetsDir),
        // Resolved by the deployment custom resource once the APIs exist.
        s3deploy.Source.data('config.js', configScript(this.endpoints)),
      ],
      // Names are not content-hashed: browsers revalidate after 5 minutes, CloudFront is invalidated.
      cacheControl: [s3deploy.CacheControl.fromString('public, max-age=300')],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      prune: true,
      memoryLimit: 256,
    });

    this.url = `https://${props.domain?.domainName ?? this.distribution.distributionDomainName}`;
  }

  /** Builds the pages with esbuild (synchronously: constructs cannot await) into a fresh folder. */
  static buildAssets(): string {
    const dir = mkdtempSync(join(tmpdir(), 'parley-web-'));
    buildWebAssetsSync(dir);
    return dir;
  }
}
