import { describe, expect, it } from 'vitest';
import { synthParley } from './synth-parley';

/** CloudFormation refuses a stack of more than 500 resources. */
const CLOUDFORMATION_LIMIT = 500;
/**
 * What the fullest stack may hold: 50 short of the limit, room for a few more routes
 * (each HTTP route costs a function, role, policy, permission, route and integration: 6).
 * Raised from 440 to 450 when the fullest stack reached 440 with the operations alarms (8,
 * grouped with metric math where CloudWatch allows), the alarm topic's key and the optional
 * Synthetics canary (6: canary, role, secret, bucket, bucket policy, alarm); 50 stays free.
 * Grouping HTTP routes into shared functions (functions/routes.ts HTTP_GROUPS: 2 resources a
 * route after a group's first) then brought the fullest stack from 440 to 373, the default from 400 to 333.
 * A feature that crosses it should first consolidate (docs/operations.md, "Resource budget").
 */
const RESOURCE_BUDGET = 450;
/** CloudFormation's cap on a template (uploaded through S3), and where CDK starts warning: 80% of it. */
const TEMPLATE_BYTES_LIMIT = 1_000_000;
const TEMPLATE_BYTES_BUDGET = 0.8 * TEMPLATE_BYTES_LIMIT;

/** Every optional feature on: mail, the edge with its web ACL, both custom domains, alarm mail, the canary. */
const FULLEST_CONTEXT = {
  region: 'us-east-1',
  webAcl: 'true',
  webDomainName: 'chat.example.com',
  webCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555',
  apiDomainName: 'api.chat.example.com',
  apiCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555556',
  mailFrom: 'support@example.com',
  mailDomain: 'example.com',
  alarmEmail: 'oncall@example.com',
  apiGatewayCloudWatchRole: 'true',
  canary: 'true',
};

/** The template's resources, counted; CDK's own limit check is off so an overrun reports its count here. */
function resourceCount(context: Record<string, unknown> = {}) {
  const { stack, template } = synthParley({ context: { ...context, '@aws-cdk/core:stackResourceLimit': 0 } });
  const resources = Object.values(template.toJSON().Resources as Record<string, { Type: string }>);
  const byType = new Map<string, number>();
  for (const { Type } of resources) byType.set(Type, (byType.get(Type) ?? 0) + 1);
  // As CDK writes it: without indentation when cdk.json says so (it does, to halve the size).
  const indented = stack.node.tryGetContext('@aws-cdk/core:suppressTemplateIndentation') !== true;
  const bytes = JSON.stringify(template.toJSON(), undefined, indented ? 1 : undefined).length;
  const largest = [...byType].sort(([, a], [, b]) => b - a).slice(0, 8);
  return { stack, total: resources.length, bytes, largest: largest.map(([type, count]) => `${type} ${count}`).join(', ') };
}

describe('the CloudFormation resource budget', () => {
  const fullest = resourceCount(FULLEST_CONTEXT);
  const plain = resourceCount();
  console.info(
    `CloudFormation resources: default stack ${plain.total}, fullest stack ${fullest.total} ` +
      `(budget ${RESOURCE_BUDGET}, limit ${CLOUDFORMATION_LIMIT}); largest: ${fullest.largest}. ` +
      `Template bytes: default ${plain.bytes}, fullest ${fullest.bytes} (budget ${TEMPLATE_BYTES_BUDGET}, limit ${TEMPLATE_BYTES_LIMIT})`,
  );

  it('the fullest stack really has every optional feature on', () => {
    expect(fullest.stack.mail).toBeDefined();
    expect(fullest.stack.edge?.webAclArn).toBeDefined();
    expect(fullest.stack.apiGatewayAccount).toBeDefined();
    expect(fullest.stack.monitoring.alarmTopic).toBeDefined();
    expect(fullest.stack.canary).toBeDefined();
  });

  it(`keeps the fullest stack within ${RESOURCE_BUDGET} resources, headroom under the limit of ${CLOUDFORMATION_LIMIT}`, () => {
    expect(fullest.total, `fullest stack: ${fullest.largest}`).toBeLessThanOrEqual(RESOURCE_BUDGET);
    expect(plain.total).toBeLessThan(fullest.total);
  });

  it(`keeps the fullest template within ${TEMPLATE_BYTES_BUDGET} bytes, where CDK starts warning`, () => {
    expect(fullest.bytes).toBeLessThanOrEqual(TEMPLATE_BYTES_BUDGET);
  });
});
