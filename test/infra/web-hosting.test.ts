import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { logicalIdOf, onlyResource, resourcesOfType, synthParley } from './synth-parley';

const { stack, template } = synthParley();
const siteBucketId = logicalIdOf(stack.web.bucket);
const distributionId = logicalIdOf(stack.web.distribution);

/** The parts of a CloudFront DistributionConfig these tests read. */
interface DistributionConfig {
  readonly DefaultCacheBehavior?: { readonly FunctionAssociations?: unknown };
  readonly Origins?: ReadonlyArray<{ readonly OriginAccessControlId?: unknown }>;
  readonly [key: string]: unknown;
}

describe('web hosting (widget, console, demo page)', () => {
  it('keeps the site bucket private, encrypted and reachable over TLS only', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LoggingConfiguration: { DestinationBucketName: { Ref: logicalIdOf(stack.web.logBucket) }, LogFilePrefix: 's3/' },
    });
    const policy = onlyResource(template, 'AWS::S3::BucketPolicy', { Bucket: { Ref: siteBucketId } });
    const statements = (policy.Properties!.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Principal: { AWS: '*' } }),
    );
    // Only this distribution reads objects, through origin access control.
    const reads = statements.filter((statement) => statement.Effect === 'Allow');
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({ Action: 's3:GetObject', Principal: { Service: 'cloudfront.amazonaws.com' } });
    expect(JSON.stringify(reads[0]!.Condition)).toContain(distributionId);
  });

  it('serves through CloudFront over HTTPS only, with OAC, security headers and access logs', () => {
    const oacs = resourcesOfType(template, 'AWS::CloudFront::OriginAccessControl');
    expect(Object.keys(oacs)).toHaveLength(1);
    const [oacId, oac] = Object.entries(oacs)[0]!;
    expect(oac.Properties?.OriginAccessControlConfig).toMatchObject({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always' });
    const config = (resourcesOfType(template, 'AWS::CloudFront::Distribution')[distributionId]!.Properties!.DistributionConfig ??
      {}) as DistributionConfig;
    expect(config.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: ['GET', 'HEAD'],
      Compress: true,
      ResponseHeadersPolicyId: { Ref: logicalIdOf(stack.web.securityHeaders) },
    });
    expect(config.DefaultCacheBehavior?.FunctionAssociations).toEqual([expect.objectContaining({ EventType: 'viewer-request' })]);
    expect(config.Origins?.[0]?.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [oacId, 'Id'] });
    expect(config.Logging).toMatchObject({
      Bucket: { 'Fn::GetAtt': [logicalIdOf(stack.web.logBucket), 'RegionalDomainName'] },
      Prefix: 'cloudfront/',
    });
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: {
        SecurityHeadersConfig: Match.objectLike({
          StrictTransportSecurity: Match.objectLike({ AccessControlMaxAgeSec: 31_536_000, IncludeSubdomains: true, Override: true }),
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ContentSecurityPolicy: Match.objectLike({ ContentSecurityPolicy: Match.stringLikeRegexp("script-src 'self'") }),
        }),
      },
    });
  });

  it('deploys the built pages plus a config.js naming this stack’s endpoints, then invalidates the cache', () => {
    const deployment = onlyResource(template, 'Custom::CDKBucketDeployment');
    expect(deployment.Properties).toMatchObject({
      DestinationBucketName: { Ref: siteBucketId },
      DistributionId: { Ref: distributionId },
      DistributionPaths: ['/*'],
      Prune: true,
    });
    // Two sources: the esbuild output and config.js, whose markers resolve to the API URLs at deploy time.
    expect(deployment.Properties?.SourceObjectKeys).toHaveLength(2);
    const markers = JSON.stringify(deployment.Properties?.SourceMarkers);
    expect(markers).toContain(logicalIdOf(stack.http.httpApi));
    expect(markers).toContain(logicalIdOf(stack.realtime.webSocketApi));
  });

  it('outputs the web URL', () => {
    template.hasOutput('WebUrl', { Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]] } });
  });
});
