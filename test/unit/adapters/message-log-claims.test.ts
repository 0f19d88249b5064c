import { describe, expect, it } from 'vitest';
import { claimOfFailure } from '../../../functions/adapters/dynamodb/message-log';

/** The claim a failed claim put returns (ReturnValuesOnConditionCheckFailure: ALL_OLD), read without a GetItem. */
describe('claimOfFailure', () => {
  const failure = (Item?: unknown) => Object.assign(new Error('conditional'), { name: 'ConditionalCheckFailedException', Item });

  it('reads the message id and floor of the attribute-value item DynamoDB returns', () => {
    expect(claimOfFailure(failure({ messageId: { S: 'M1' }, floor: { N: '7' }, kind: { S: 'client-message' } }))).toEqual({
      messageId: 'M1',
      floor: 7,
    });
  });

  it('keeps the seq of a claim completed before completions were dropped, and takes plain values too', () => {
    expect(claimOfFailure(failure({ messageId: { S: 'M1' }, floor: { N: '0' }, seq: { N: '3' } }))).toEqual({
      messageId: 'M1',
      floor: 0,
      seq: 3,
    });
    expect(claimOfFailure(failure({ messageId: 'M2', floor: 4 }))).toEqual({ messageId: 'M2', floor: 4 });
  });

  it('gives nothing when the failure carries no usable claim (dynalite, or a malformed item): the caller reads it', () => {
    expect(claimOfFailure(failure())).toBeUndefined();
    expect(claimOfFailure(failure({ messageId: { S: 'M1' } }))).toBeUndefined();
    expect(claimOfFailure(failure({ floor: { N: '1' } }))).toBeUndefined();
    expect(claimOfFailure(failure({ messageId: { S: '' }, floor: { N: '1' } }))).toBeUndefined();
    expect(claimOfFailure(undefined)).toBeUndefined();
  });
});
