import { afterAll, describe, expect, it, vi } from 'vitest';
import { watchServerFaults } from '../../support/server-faults';
import { startLocalStack, type LocalStack } from '../../../local/stack';
import { postJson, RawClient } from '../../../local/tools/raw-client';
import { beforeAllOrFail, budget, STACK_START_MS } from '../../support/setup';

let stack: LocalStack;

beforeAllOrFail(async () => {
  stack = await startLocalStack({ httpPort: 0, wsPort: 0, demo: false, web: false, faults: {}, faultSeed: 15 });
}, STACK_START_MS);
afterAll(async () => {
  await stack?.stop();
});

describe('Secrets Manager down', () => {
  it(
    'a $connect is answered 500 (not 401/403) and counted as ServerFault, dependency secrets; it connects again once Secrets Manager is back',
    async () => {
      // Minted while Secrets Manager is up; its verification keys are not read (nor cached) until the connect.
      const guest = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name: 'Outage' });
      expect(guest.status).toBe(201);
      const token = guest.body.token as string;
      const faults = await watchServerFaults();
      stack.faults!.update({ secretsUnavailable: 1 });
      try {
        expect(await RawClient.upgradeStatus(`${stack.wsUrl}?token=${encodeURIComponent(token)}`)).toBe(500);
      } finally {
        stack.faults!.update({ secretsUnavailable: 0 });
        vi.restoreAllMocks();
      }
      expect(stack.faults!.counts().secretsFailed).toBeGreaterThan(0);
      expect(faults).toEqual([{}, { route: 'authorizer', dependency: 'secrets' }]);
      const client = await RawClient.connect(stack.wsUrl, token);
      client.close();
    },
    budget(4, 5_000),
  ); // a guest sign-in, a refused upgrade (with the SDK's retries), a connect; the retries' backoff
});
