import { decodeProtectedHeader } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { keyPolicy } from '../../functions/wiring';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { RawClient, getJson, postJson } from '../../local/tools/raw-client';
import { beforeAllOrFail, budget, STACK_START_MS } from '../support/setup';
import { waitFor } from '../support/wait';
import { connectAndSync, guestToken, mintToken, parleySigningKey } from './support';

/**
 * Issue 12: signing keys rotate without logging anyone out. On a local stack (the same
 * rotation function Secrets Manager would run, against the local Secrets Manager) a guest
 * token and a staff sign-in from before a rotation keep connecting and working, new tokens
 * carry the new kid once it activates, and past the overlap window the old key is refused.
 * The handlers' clock is injected and moved forward; the key sets are cached for 1 s.
 */
const CACHE_SECONDS = 1;
let offsetMs = 0;
let stack: LocalStack;
const shiftedNow = () => Math.floor((Date.now() + offsetMs) / 1000);
const kidOf = (token: string) => decodeProtectedHeader(token).kid;

beforeAllOrFail(async () => {
  stack = await startLocalStack({
    httpPort: 0,
    wsPort: 0,
    demo: true,
    web: false,
    env: { SECRETS_CACHE_SECONDS: String(CACHE_SECONDS) },
    clock: { now: () => new Date(Date.now() + offsetMs) },
  });
}, STACK_START_MS);

afterAll(async () => {
  await stack?.stop();
});

async function login(): Promise<{ token: string; refreshToken: string }> {
  const response = await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'agent.billing@example.com', password: 'parley-demo' });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body as { token: string; refreshToken: string };
}

/** The token opens a socket that syncs and heartbeats, and the HTTP API authenticates it (what it may see is another matter: 200 staff, 403 customers). */
async function works(token: string): Promise<void> {
  const { client } = await connectAndSync(stack, token);
  expect(await client.request({ action: 'heartbeat' }, ['pong', 'error'])).toMatchObject({ type: 'pong' });
  await client.close();
  expect([200, 403]).toContain((await getJson(`${stack.httpUrl}/v1/conversations`, token)).status);
}

async function refused(token: string): Promise<void> {
  await expect(RawClient.connect(stack.wsUrl, token)).rejects.toThrow(/HTTP 403/);
  const response = await getJson(`${stack.httpUrl}/v1/conversations`, token);
  expect(response.status).toBe(401);
  expect(response.body).toMatchObject({ error: { code: 'unauthorized' } });
}

describe('rotating the signing keys on a running stack', () => {
  it(
    'keeps old tokens working, moves new tokens to the new kid once it activates, and refuses the old key after the overlap',
    async () => {
      const policy = keyPolicy(stack.wiring().config);
      expect(policy.cacheSeconds).toBe(CACHE_SECONDS);
      // The stack started with one key, made by the rotation function, which signs at once.
      const [firstKey] = stack.signingKeys();
      expect(stack.signingKeys()).toHaveLength(1);
      const guest = await guestToken(stack, 'Before');
      const staff = await login();
      expect([kidOf(guest), kidOf(staff.token)]).toEqual([firstKey!.kid, firstKey!.kid]);

      await stack.rotateSigningKeys();
      const keys = stack.signingKeys();
      expect(keys).toHaveLength(2);
      const secondKey = keys.find((key) => key.kid !== firstKey!.kid)!;
      expect(secondKey.activatesAt - shiftedNow()).toBeGreaterThan(policy.cacheSeconds);

      // Until the new key activates, tokens are still signed with the old one; old tokens work.
      expect(kidOf(await guestToken(stack, 'Between'))).toBe(firstKey!.kid);
      await works(guest);
      await works(staff.token);

      // Past activation (and the 1 s cache): new tokens carry the new kid, old ones still work.
      offsetMs += (secondKey.activatesAt - shiftedNow() + 1) * 1000;
      const newGuest = await waitFor(
        async () => {
          const token = await guestToken(stack, 'After');
          return kidOf(token) === secondKey.kid ? token : undefined;
        },
        { timeoutMs: budget(2), intervalMs: 250, message: 'a guest token signed with the new key' },
      );
      const refreshed = await postJson(`${stack.httpUrl}/v1/auth/refresh`, { refreshToken: staff.refreshToken });
      expect(refreshed.status).toBe(200);
      expect(kidOf(refreshed.body.token as string)).toBe(secondKey.kid);
      await works(newGuest);
      await works(refreshed.body.token as string);
      await works(guest);
      await works(staff.token);

      // A customer token signed with the old private key, fresh as can be, works until the overlap ends...
      const oldKey = await parleySigningKey(stack, { kid: firstKey!.kid });
      const newKey = await parleySigningKey(stack, { kid: secondKey.kid });
      const customer = { id: 'guest:rotation-check', role: 'customer' } as const;
      await works(await mintToken(oldKey, customer, 600, shiftedNow()));

      // ...and not after it: the old key retired more than the longest token lifetime ago.
      offsetMs += (policy.retiredKeyGraceSeconds + 1) * 1000;
      await refused(await mintToken(oldKey, customer, 600, shiftedNow()));
      await works(await mintToken(newKey, customer, 600, shiftedNow()));

      // The next rotation drops it from both sets: an unknown kid, refused after a refetch.
      await stack.rotateSigningKeys();
      expect(stack.signingKeys().map((key) => key.kid)).not.toContain(firstKey!.kid);
      await refused(await mintToken(oldKey, customer, 600, shiftedNow()));
    },
    STACK_START_MS + budget(12),
  );
});
