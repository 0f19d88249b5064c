import { Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { synthParley } from './synth-parley';

// A deliberately non-compliant stack in the same app proves the checks actually run,
// so "no findings on Parley" cannot pass just because nothing was checked.
// With the optional canary too, so its resources are checked.
const { app, stack, template } = synthParley({ nag: true, context: { alarmEmail: 'oncall@example.com', canary: 'true' } });
const probe = new Stack(app, 'NagProbe');
new Queue(probe, 'PlainQueue');

const findings = (target: Stack) => {
  const annotations = Annotations.fromStack(target);
  const nag = Match.stringLikeRegexp('AwsSolutions-');
  return [...annotations.findError('*', nag), ...annotations.findWarning('*', nag)].map(
    (message) => `${message.id}: ${String(message.entry.data).split('\n')[0]}`,
  );
};

describe('cdk-nag AwsSolutions checks', () => {
  it('run at all (they flag a plain queue in a probe stack)', () => {
    const probeFindings = findings(probe);
    expect(probeFindings.some((finding) => finding.includes('AwsSolutions-SQS3'))).toBe(true);
    expect(probeFindings.some((finding) => finding.includes('AwsSolutions-SQS4'))).toBe(true);
  });

  it('report no unsuppressed error or warning on the Parley stack', () => {
    expect(findings(stack)).toEqual([]);
  });

  it('every suppression states a specific reason', () => {
    const suppressions = Object.values(template.toJSON().Resources as Record<string, { Metadata?: Record<string, unknown> }>).flatMap(
      (resource) =>
        (resource.Metadata?.cdk_nag as { rules_to_suppress?: { id: string; reason: string }[] } | undefined)?.rules_to_suppress ?? [],
    );
    expect(suppressions.length).toBeGreaterThan(0);
    for (const suppression of suppressions) {
      expect(suppression.reason.length, suppression.id).toBeGreaterThanOrEqual(40);
    }
  });

  it('suppresses wildcard IAM findings only for the exact resources they concern', () => {
    const wildcardSuppressions = Object.values(template.toJSON().Resources as Record<string, { Metadata?: Record<string, unknown> }>)
      .flatMap(
        (resource) =>
          (resource.Metadata?.cdk_nag as { rules_to_suppress?: { id: string; applies_to?: unknown[] }[] } | undefined)?.rules_to_suppress ??
          [],
      )
      .filter((suppression) => suppression.id === 'AwsSolutions-IAM5');
    expect(wildcardSuppressions.length).toBeGreaterThan(0);
    for (const suppression of wildcardSuppressions) {
      // An absent or empty list would suppress every IAM5 finding on the resource.
      const appliesTo = suppression.applies_to as unknown[] | undefined;
      expect(appliesTo, 'IAM5 suppressions must name what they apply to').toEqual(expect.any(Array));
      expect(appliesTo!.length).toBeGreaterThan(0);
      for (const finding of appliesTo!) expect(finding).toMatch(/^(Resource|Action|Policy)::./);
    }
  });

  it('report nothing unsuppressed with tracing off either, and suppress no X-Ray wildcard the untraced roles lack', () => {
    const untraced = synthParley({ nag: true, context: { tracing: 'false' } });
    expect(findings(untraced.stack)).toEqual([]);
    const reasons = Object.values(untraced.template.toJSON().Resources as Record<string, { Metadata?: Record<string, unknown> }>).flatMap(
      (resource) =>
        (resource.Metadata?.cdk_nag as { rules_to_suppress?: { reason: string }[] } | undefined)?.rules_to_suppress?.map(
          (suppression) => suppression.reason,
        ) ?? [],
    );
    expect(reasons.filter((reason) => reason.startsWith('X-Ray tracing'))).toEqual([]);
  });
});
