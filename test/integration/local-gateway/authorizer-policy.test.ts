import type { PolicyDocument } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { policyAllows } from '../../../local/gateway/authorizer-policy';

const ARN = 'arn:aws:execute-api:us-east-1:000000000000:local/local/$connect';
const policy = (...Statement: PolicyDocument['Statement']): PolicyDocument => ({ Version: '2012-10-17', Statement });

describe('authorizer policy evaluation', () => {
  it('allows an exact or wildcard Allow on execute-api:Invoke', () => {
    expect(policyAllows(policy({ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: ARN }), 'execute-api:Invoke', ARN)).toBe(true);
    expect(
      policyAllows(
        policy({ Effect: 'Allow', Action: 'execute-api:*', Resource: 'arn:aws:execute-api:*:*:local/*' }),
        'execute-api:Invoke',
        ARN,
      ),
    ).toBe(true);
    expect(
      policyAllows(policy({ Effect: 'Allow', Action: ['s3:GetObject', 'EXECUTE-API:invoke'], Resource: ['*'] }), 'execute-api:Invoke', ARN),
    ).toBe(true);
  });

  it('denies by default, on other resources or actions, and when any Deny applies', () => {
    expect(policyAllows(policy(), 'execute-api:Invoke', ARN)).toBe(false);
    expect(policyAllows(policy({ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: `${ARN}x` }), 'execute-api:Invoke', ARN)).toBe(
      false,
    );
    expect(
      policyAllows(policy({ Effect: 'Allow', Action: 'execute-api:ManageConnections', Resource: '*' }), 'execute-api:Invoke', ARN),
    ).toBe(false);
    expect(
      policyAllows(
        policy({ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*' }, { Effect: 'Deny', Action: '*', Resource: ARN }),
        'execute-api:Invoke',
        ARN,
      ),
    ).toBe(false);
  });

  it('treats ? as one character and escapes regex metacharacters in ARNs', () => {
    expect(
      policyAllows(
        policy({ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: ARN.replace('$connect', '$connec?') }),
        'execute-api:Invoke',
        ARN,
      ),
    ).toBe(true);
    expect(
      policyAllows(policy({ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: ARN.replace('.', '?') }), 'execute-api:Invoke', ARN),
    ).toBe(true);
    expect(
      policyAllows(policy({ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: ARN.replace('$', '.') }), 'execute-api:Invoke', ARN),
    ).toBe(false);
  });
});
