import { afterAll, describe, expect, it, vi } from 'vitest';
import { startLocalStack, type LocalStack } from '../../../local/stack';
import { postJson, RawClient } from '../../../local/tools/raw-client';
import { watchServerFaults } from '../../support/server-faults';
import { beforeAllOrFail, budget, STACK_START_MS } from '../../support/setup';

/**
 * Issue 15: DynamoDB throttling every request (past the SDK's own retries) is a server fault
 * the client can retry: the frame is answered `unavailable`, nothing is stored, `ServerFault`
 * counts it by route and dependency, and the same frame retried after the throttle is stored once.
 */
let stack: LocalStack;

beforeAllOrFail(async () => {
  stack = await startLocalStack({ httpPort: 0, wsPort: 0, demo: true, web: false, faults: {}, faultSeed: 15 });
}, STACK_START_MS);
afterAll(async () => {
  await stack?.stop();
});

describe('DynamoDB throttled', () => {
  it(
    'a message is answered unavailable and counted as ServerFault (route message, dependency dynamodb); its retry is stored once',
    async () => {
      const guest = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name: 'Throttled' });
      const customer = await RawClient.connect(stack.wsUrl, guest.body.token as string);
      try {
        const started = await customer.request({ action: 'start', skill: 'billing', text: 'first', clientMsgId: 't-0' }, ['ack', 'error']);
        expect(started).toMatchObject({ type: 'ack' });
        const conversationId = started.conversationId as string;

        const lastSeq = async () =>
          (
            (await customer.request({ action: 'sync', cursors: { [conversationId]: 0 } }, ['synced'])).conversations as Record<
              string,
              number
            >
          )[conversationId]!;
        const before = await lastSeq();
        const faults = await watchServerFaults();
        stack.faults!.update({ dynamoThrottle: 1 });
        let refused: Record<string, unknown>;
        try {
          refused = await customer.request({ action: 'message', conversationId, clientMsgId: 't-1', text: 'during' }, ['ack', 'error']);
        } finally {
          stack.faults!.update({ dynamoThrottle: 0 });
          vi.restoreAllMocks();
        }
        expect(refused).toMatchObject({ type: 'error', code: 'unavailable' });
        expect(stack.faults!.counts().dynamoThrottled).toBeGreaterThan(0);
        expect(faults).toContainEqual({});
        expect(faults).toContainEqual({ route: 'message', dependency: 'dynamodb' });

        const retried = await customer.request({ action: 'message', conversationId, clientMsgId: 't-1', text: 'during' }, ['ack', 'error']);
        expect(retried).toMatchObject({ type: 'ack', conversationId, seq: before + 1 });
        // The refused attempt stored nothing; the retry stored it, once.
        expect(await lastSeq()).toBe(before + 1);
      } finally {
        customer.close();
      }
    },
    budget(6, 5_000),
  ); // a sign-in, a start, a refused message after the SDK's throttling retries and their backoff, a retry, a sync
});
