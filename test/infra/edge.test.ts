import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { logicalIdOf, onlyResource, resourcesOfType, synthParley, type CfnResourceJson } from './synth-parley';

const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const API_CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555556';
const EXISTING_ACL = 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/parley/abcd1234';

const EDGE_AND_DOMAINS = {
  region: 'us-east-1',
  webAcl: 'true',
  webDomainName: 'chat.example.com',
  webCertificateArn: CERTIFICATE,
  apiDomainName: 'api.chat.example.com',
  apiCertificateArn: API_CERTIFICATE,
};

interface DistributionConfig {
  readonly WebACLId?: unknown;
  readonly Aliases?: string[];
  readonly ViewerCertificate?: Record<string, unknown>;
  readonly DefaultCacheBehavior?: Record<string, unknown>;
  readonly CacheBehaviors?: Array<Record<string, unknown>>;
  readonly Origins?: Array<{ DomainName: unknown; Id: string; CustomOriginConfig?: Record<string, unknown> }>;
  readonly Logging?: unknown;
}
const configOf = (distribution: CfnResourceJson) => distribution.Properties!.DistributionConfig as DistributionConfig;

describe('without the webAcl context value', () => {
  const { stack, template } = synthParley();

  it('creates no web ACL and no edge distribution; the pages use the execute-api endpoints', () => {
    expect(Object.keys(resourcesOfType(template, 'AWS::WAFv2::WebACL'))).toHaveLength(0);
    expect(Object.keys(resourcesOfType(template, 'AWS::CloudFront::Distribution'))).toHaveLength(1);
    expect(stack.edge).toBeUndefined();
    expect(configOf(onlyResource(template, 'AWS::CloudFront::Distribution')).WebACLId).toBeUndefined();
    expect(Object.keys(template.toJSON().Outputs)).not.toContain('EdgeHttpApiUrl');
  });

  it('keeps the default certificate (no TLS minimum is possible there)', () => {
    expect(configOf(onlyResource(template, 'AWS::CloudFront::Distribution')).ViewerCertificate).toBeUndefined();
  });
});

describe('with webAcl on, in us-east-1, and custom domains', () => {
  const { app, stack, template } = synthParley({ nag: true, context: EDGE_AND_DOMAINS });
  const edge = stack.edge!;
  const aclId = logicalIdOf(edge.webAcl!);
  const aclArn = { 'Fn::GetAtt': [aclId, 'Arn'] };
  const acl = template.toJSON().Resources[aclId] as CfnResourceJson;
  interface RuleJson {
    Name: string;
    Priority: number;
    Action?: unknown;
    VisibilityConfig: unknown;
    Statement: { RateBasedStatement: { ScopeDownStatement: { ByteMatchStatement: unknown } } & Record<string, unknown> };
  }
  const rules = acl.Properties!.Rules as RuleJson[];

  it('creates a CLOUDFRONT web ACL with IP reputation, known bad inputs and per-IP rate rules, tighter on /v1/auth/*', () => {
    expect(acl.Properties).toMatchObject({ Scope: 'CLOUDFRONT', DefaultAction: { Allow: {} } });
    expect(rules.map((rule) => rule.Name)).toEqual([
      'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'AuthRatePerIp',
      'RatePerIp',
    ]);
    expect(rules.map((rule) => rule.Priority)).toEqual([0, 1, 2, 3]);
    // Chosen deliberately: the common rule set blocks JSON bodies over 8 KB.
    expect(JSON.stringify(rules)).not.toContain('AWSManagedRulesCommonRuleSet');
    const auth = rules[2]!.Statement.RateBasedStatement;
    expect(auth).toMatchObject({ Limit: 100, AggregateKeyType: 'IP', EvaluationWindowSec: 300 });
    expect(auth.ScopeDownStatement.ByteMatchStatement).toMatchObject({
      SearchString: '/v1/auth/',
      FieldToMatch: { UriPath: {} },
      PositionalConstraint: 'STARTS_WITH',
    });
    expect(rules[3]!.Statement.RateBasedStatement).toMatchObject({ Limit: 2000, AggregateKeyType: 'IP' });
    expect(rules[3]!.Action).toEqual({ Block: { CustomResponse: { ResponseCode: 429 } } });
    for (const rule of rules) expect(rule.VisibilityConfig).toMatchObject({ CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true });
  });

  it('logs the web ACL to an aws-waf-logs- group, with tokens (authorization, query string) redacted', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: 'aws-waf-logs-Parley' });
    const logging = onlyResource(template, 'AWS::WAFv2::LoggingConfiguration');
    expect(logging.Properties).toMatchObject({
      ResourceArn: aclArn,
      RedactedFields: [{ SingleHeader: { Name: 'authorization' } }, { QueryString: {} }],
    });
  });

  it('puts CloudFront in front of the HTTP API (/) and the WebSocket stage (/prod), both behind the ACL', () => {
    const config = configOf(template.toJSON().Resources[logicalIdOf(edge.distribution)] as CfnResourceJson);
    expect(config.WebACLId).toEqual(aclArn);
    const origins = JSON.stringify(config.Origins);
    expect(origins).toContain(logicalIdOf(stack.http.httpApi));
    expect(origins).toContain(logicalIdOf(stack.realtime.webSocketApi));
    for (const origin of config.Origins!) {
      expect(origin.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
    }
    expect(config.DefaultCacheBehavior).toMatchObject({ ViewerProtocolPolicy: 'https-only' });
    expect(config.CacheBehaviors).toEqual([expect.objectContaining({ PathPattern: '/prod', ViewerProtocolPolicy: 'https-only' })]);
    expect(config.Logging).toBeDefined();
  });

  it('attaches the same ACL to the web pages and points their config.js and the outputs at the edge', () => {
    const webConfig = configOf(template.toJSON().Resources[logicalIdOf(stack.web.distribution)] as CfnResourceJson);
    expect(webConfig.WebACLId).toEqual(aclArn);
    expect(stack.web.endpoints).toEqual({ httpUrl: 'https://api.chat.example.com/', wsUrl: 'wss://api.chat.example.com/prod' });
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.EdgeHttpApiUrl?.Value).toBe('https://api.chat.example.com/');
    expect(outputs.EdgeWebSocketUrl?.Value).toBe('wss://api.chat.example.com/prod');
    expect(outputs.WebUrl?.Value).toBe('https://chat.example.com');
  });

  it('serves both distributions on their custom domains with TLS 1.2 at least', () => {
    for (const [distribution, domain, certificate] of [
      [stack.web.distribution, 'chat.example.com', CERTIFICATE],
      [edge.distribution, 'api.chat.example.com', API_CERTIFICATE],
    ] as const) {
      const config = configOf(template.toJSON().Resources[logicalIdOf(distribution)] as CfnResourceJson);
      expect(config.Aliases).toEqual([domain]);
      expect(config.ViewerCertificate).toEqual({
        AcmCertificateArn: certificate,
        MinimumProtocolVersion: 'TLSv1.2_2021',
        SslSupportMethod: 'sni-only',
      });
    }
  });

  it('stays cdk-nag clean', () => {
    const nag = Match.stringLikeRegexp('AwsSolutions-');
    const annotations = Annotations.fromStack(stack);
    const findings = [...annotations.findError('*', nag), ...annotations.findWarning('*', nag)].map(
      (m) => `${m.id}: ${String(m.entry.data).split('\n')[0]}`,
    );
    expect(findings).toEqual([]);
    expect(app.node.tryGetContext('webAcl')).toBe('true');
  });
});

describe('with webAcl on and no API domain', () => {
  it("writes the edge distribution's own host name into config.js", () => {
    const { stack, template } = synthParley({ context: { region: 'us-east-1', webAcl: true } });
    const markers = JSON.stringify(onlyResource(template, 'Custom::CDKBucketDeployment').Properties!.SourceMarkers);
    expect(markers).toContain(logicalIdOf(stack.edge!.distribution));
    expect(markers).not.toContain(logicalIdOf(stack.http.httpApi));
    expect(markers).not.toContain(logicalIdOf(stack.realtime.webSocketApi));
  });
});

describe('webAcl outside us-east-1', () => {
  it('refuses at synth, saying how to proceed', () => {
    expect(() => synthParley({ context: { webAcl: 'true' } })).toThrow(/us-east-1.*webAclArn/s);
    expect(() => synthParley({ context: { webAcl: 'true', region: 'eu-west-1' } })).toThrow(/this stack has eu-west-1/);
  });

  it('attaches an existing CLOUDFRONT web ACL given by ARN, creating none', () => {
    const { stack, template } = synthParley({ nag: true, context: { region: 'eu-west-1', webAclArn: EXISTING_ACL } });
    expect(Object.keys(resourcesOfType(template, 'AWS::WAFv2::WebACL'))).toHaveLength(0);
    for (const distribution of [stack.web.distribution, stack.edge!.distribution]) {
      expect(configOf(template.toJSON().Resources[logicalIdOf(distribution)] as CfnResourceJson).WebACLId).toBe(EXISTING_ACL);
    }
    const nag = Match.stringLikeRegexp('AwsSolutions-');
    expect(Annotations.fromStack(stack).findError('*', nag)).toEqual([]);
  });

  it('refuses an ACL ARN that is not a global one, and a certificate outside us-east-1', () => {
    expect(() => synthParley({ context: { webAclArn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/x/y' } })).toThrow(/webAclArn/);
    expect(() =>
      synthParley({ context: { webDomainName: 'chat.example.com', webCertificateArn: CERTIFICATE.replace('us-east-1', 'eu-west-1') } }),
    ).toThrow(/webCertificateArn/);
    expect(() => synthParley({ context: { webDomainName: 'chat.example.com' } })).toThrow(
      /webDomainName and webCertificateArn go together/,
    );
  });
});
