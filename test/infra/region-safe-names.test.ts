import { describe, expect, it } from 'vitest';
import { App, Stack } from 'aws-cdk-lib';
import { regionalName } from '../../lib/constructs/naming';
import { WEB_SITE_ACCESS_CONTROL_SUFFIX } from '../../lib/constructs/web-hosting';
import { MAX_STACK_NAME_LENGTH } from '../../lib/parley-context';
import { synthParley } from './synth-parley';

/**
 * CloudFront policies, origin access controls and functions, and CloudWatch dashboards are
 * named per account, not per region: two deployments of one stack in two regions of the same
 * account must not give any of them the same name.
 */
type Properties = Record<string, { Name?: unknown } | undefined> & { Name?: unknown; DashboardName?: unknown };
const ACCOUNT_WIDE_NAMES: Record<string, (properties: Properties) => unknown> = {
  'AWS::CloudFront::ResponseHeadersPolicy': (p) => p.ResponseHeadersPolicyConfig?.Name,
  'AWS::CloudFront::CachePolicy': (p) => p.CachePolicyConfig?.Name,
  'AWS::CloudFront::OriginRequestPolicy': (p) => p.OriginRequestPolicyConfig?.Name,
  'AWS::CloudFront::OriginAccessControl': (p) => p.OriginAccessControlConfig?.Name,
  'AWS::CloudFront::Function': (p) => p.Name,
  'AWS::CloudFront::KeyValueStore': (p) => p.Name,
  'AWS::CloudWatch::Dashboard': (p) => p.DashboardName,
};

function accountWideNames(region: string): Map<string, unknown> {
  // The fullest context: the edge distribution too (its web ACL given, as outside us-east-1).
  const { template } = synthParley({
    context: { region, webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/parley/11111111-2222-3333-4444-555555555555' },
  });
  const names = new Map<string, unknown>();
  for (const [id, resource] of Object.entries(template.toJSON().Resources as Record<string, { Type: string; Properties?: object }>)) {
    const nameOf = ACCOUNT_WIDE_NAMES[resource.Type];
    if (nameOf !== undefined) names.set(`${resource.Type} ${id}`, nameOf((resource.Properties ?? {}) as Properties));
  }
  return names;
}

describe('names unique per account, not per region', () => {
  it("fit CloudFront's 64 characters for origin access controls with the longest stack name and region", () => {
    const longestStackName = `P${'a'.repeat(MAX_STACK_NAME_LENGTH - 1)}`;
    const stack = new Stack(new App(), longestStackName, { env: { region: 'ap-southeast-4' } });
    const name = regionalName(stack, WEB_SITE_ACCESS_CONTROL_SUFFIX);
    expect(name).toBe(`${longestStackName}-${WEB_SITE_ACCESS_CONTROL_SUFFIX}-ap-southeast-4`);
    expect(name.length).toBeLessThanOrEqual(64);
  });

  const virginia = accountWideNames('us-east-1');
  const ireland = accountWideNames('eu-west-1');

  it('finds the CloudFront and dashboard resources in both stacks', () => {
    expect([...virginia.keys()].sort()).toEqual([...ireland.keys()].sort());
    const types = new Set([...virginia.keys()].map((key) => key.split(' ')[0]));
    for (const type of ['AWS::CloudFront::ResponseHeadersPolicy', 'AWS::CloudFront::OriginAccessControl', 'AWS::CloudWatch::Dashboard']) {
      expect(types).toContain(type);
    }
  });

  it('gives each an explicit name that includes the region, so the two deployments never collide', () => {
    for (const [key, name] of virginia) {
      expect(typeof name, `${key} must be named explicitly (a generated name omits the region)`).toBe('string');
      expect(name as string, key).toContain('us-east-1');
      const other = ireland.get(key);
      expect(other, key).toContain('eu-west-1');
      expect(other, key).not.toBe(name);
    }
  });
});
