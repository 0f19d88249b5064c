import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { RawClient, getJson, postJson, putJson, type Frame } from '../../local/tools/raw-client';
import { beforeAllOrFail, budget, STACK_START_MS } from '../support/setup';
import { connectAndSync, guestToken, mintToken, parleySigningKey, settled } from './support';

/**
 * Issue 12 (HIGH, "tokens are never revoked"): after deleting, disabling or demoting an
 * agent, changing its password or its signing out, everything it held stops working at once:
 * its open socket closes with `unauthorized`, its old access token cannot reconnect or call
 * the HTTP API, its old refresh token cannot be traded, and routing assigns it nothing.
 * Plus refresh-token rotation and reuse detection, and the close of a socket whose token expired.
 */

let stack: LocalStack;
let adminToken: string;
const SETTLE_MS = budget(3);
const PASSWORD = 'revocation-test-password';

beforeAllOrFail(async () => {
  // The expiry test heartbeats back to back until its 2-second token runs out.
  stack = await startLocalStack({ httpPort: 0, wsPort: 0, demo: true, env: { RATE_LIMIT_HEARTBEATS: '100000/60' } });
  adminToken = (await login('admin@example.com', 'parley-demo')).token;
}, STACK_START_MS + budget(1));

afterAll(async () => {
  await stack?.stop();
});

interface SignedIn {
  token: string;
  refreshToken: string;
  expiresAt: string;
}

async function login(email: string, password = PASSWORD): Promise<SignedIn> {
  const response = await postJson(`${stack.httpUrl}/v1/auth/login`, { email, password });
  if (response.status !== 200) throw new Error(`login ${email}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as SignedIn;
}

// biome-ignore lint/suspicious/noExplicitAny: a raw test client reads any JSON body the API returns (as postJson does).
async function call(method: 'PUT' | 'DELETE', path: string, token: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${stack.httpUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: await response.json() };
}

const refresh = (refreshToken: string) => postJson(`${stack.httpUrl}/v1/auth/refresh`, { refreshToken });

async function createAgent(id: string, skill: string, role: 'agent' | 'admin' = 'agent'): Promise<void> {
  // Agents serve configured skills only: each test's own skill is configured first.
  const configured = await putJson(`${stack.httpUrl}/v1/skills/${skill}`, { names: { en: skill } }, adminToken);
  expect(configured.status, JSON.stringify(configured.body)).toBe(200);
  const response = await postJson(
    `${stack.httpUrl}/v1/agents`,
    { id, email: `${id}@example.com`, name: id, password: PASSWORD, role, skills: [skill], capacity: 3 },
    adminToken,
  );
  expect(response.status, JSON.stringify(response.body)).toBe(201);
}

/** A guest starting a conversation that needs `skill`: its client and the conversation id. */
async function customerNeeding(skill: string): Promise<{ client: RawClient; conversationId: string }> {
  const { client } = await connectAndSync(stack, await guestToken(stack, 'Cat'));
  client.send({ action: 'start', skill, text: 'hello', clientMsgId: 'c-1' });
  const conversation = await client.nextOfType('conversation');
  return { client, conversationId: (conversation.conversation as { id: string }).id };
}

const assignedFrame = (conversationId: string) => (frame: Frame) => frame.type === 'assigned' && frame.conversationId === conversationId;

type Revocation = 'delete' | 'disable' | 'demote' | 'password' | 'sign-out';

async function revoke(kind: Revocation, agentId: string, signedIn: SignedIn): Promise<void> {
  const path = `/v1/agents/${agentId}`;
  const response =
    kind === 'delete'
      ? await call('DELETE', path, adminToken)
      : kind === 'disable'
        ? await call('PUT', path, adminToken, { disabled: true })
        : kind === 'demote'
          ? await call('PUT', path, adminToken, { role: 'supervisor' })
          : kind === 'password'
            ? await call('PUT', path, adminToken, { password: `${PASSWORD}-2` })
            : await postJson(`${stack.httpUrl}/v1/auth/logout`, { refreshToken: signedIn.refreshToken });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
}

/** Steps of one case: sign-up, login, connect, online, a routed customer, the revocation and every check. */
const CASE_MS = budget(20, SETTLE_MS);

describe('revoking an agent ends its socket, its tokens and its routing at once', () => {
  for (const kind of ['delete', 'disable', 'demote', 'password', 'sign-out'] as const) {
    it(
      kind,
      async () => {
        const agentId = `rv-${kind}`;
        const skill = `rv-${kind}`;
        await createAgent(agentId, skill);
        const signedIn = await login(`${agentId}@example.com`);
        const { client: socket } = await connectAndSync(stack, signedIn.token);
        expect(await socket.request({ action: 'status', status: 'online' }, ['status'])).toEqual({ type: 'status', status: 'online' });
        // Before: routing assigns the agent a customer, so it is routable.
        const before = await customerNeeding(skill);
        await before.client.waitFor(assignedFrame(before.conversationId));

        await revoke(kind, agentId, signedIn);

        // The open socket is told and closed (no action needed from the client).
        await socket.waitFor((frame) => frame.type === 'error' && frame.code === 'unauthorized');
        await socket.waitForClose();
        // The old access token: no reconnect, no HTTP API.
        await expect(RawClient.connect(stack.wsUrl, signedIn.token)).rejects.toThrow(/HTTP 403/);
        expect((await getJson(`${stack.httpUrl}/v1/conversations`, signedIn.token)).status).toBe(401);
        // The old refresh token: refused.
        const refused = await refresh(signedIn.refreshToken);
        expect(refused.status).toBe(401);
        expect(refused.body.error.code).toBe('unauthorized');
        // Routing: its conversation goes back to the queue and a new customer is not assigned to it.
        const after = await customerNeeding(skill);
        await settled(stack, undefined, SETTLE_MS);
        expect(after.client.frames.some(assignedFrame(after.conversationId))).toBe(false);
        expect(before.client.frames.filter(assignedFrame(before.conversationId))).toHaveLength(1);
        const view = await getJson(`${stack.httpUrl}/v1/agents/${agentId}`, adminToken);
        if (kind === 'delete') expect(view.status).toBe(404);
        else expect(view.body.agent.presence).toEqual({ status: 'offline', load: 0 });

        if (kind === 'password') {
          // A sign-in with the new password right after the change works.
          const again = await login(`${agentId}@example.com`, `${PASSWORD}-2`);
          expect((await getJson(`${stack.httpUrl}/v1/conversations`, again.token)).status).toBe(200);
        }
        if (kind === 'disable') {
          // A disabled account cannot sign in, even with its password.
          const response = await postJson(`${stack.httpUrl}/v1/auth/login`, { email: `${agentId}@example.com`, password: PASSWORD });
          expect(response.status).toBe(401);
        }
        for (const client of [before.client, after.client]) await client.close();
      },
      CASE_MS,
    );
  }

  it(
    "a deleted admin's token can no longer manage agents",
    async () => {
      await createAgent('rv-admin', 'general', 'admin');
      const rogue = await login('rv-admin@example.com');
      expect((await getJson(`${stack.httpUrl}/v1/agents`, rogue.token)).status).toBe(200);
      expect((await call('DELETE', '/v1/agents/rv-admin', adminToken)).status).toBe(200);
      const created = await postJson(
        `${stack.httpUrl}/v1/agents`,
        { id: 'rv-rogue', email: 'rv-rogue@example.com', name: 'Rogue', password: PASSWORD, role: 'admin' },
        rogue.token,
      );
      expect(created.status).toBe(401);
      expect((await call('DELETE', '/v1/agents/admin', rogue.token)).status).toBe(401);
      expect((await getJson(`${stack.httpUrl}/v1/agents/rv-rogue`, adminToken)).status).toBe(404);
    },
    budget(6),
  );

  it(
    'a staff token from no session (minted, or from before sessions) is refused',
    async () => {
      const minted = await mintToken(await parleySigningKey(stack), { id: 'agent-tech', role: 'agent', skills: ['tech'] });
      expect((await getJson(`${stack.httpUrl}/v1/conversations`, minted)).status).toBe(401);
      await expect(RawClient.connect(stack.wsUrl, minted)).rejects.toThrow(/HTTP 403/);
    },
    budget(3),
  );
});

describe('refresh tokens rotate, and a reused one ends the session', () => {
  it(
    'rotates on every refresh; replaying a rotated token revokes the whole family',
    async () => {
      await createAgent('rv-rotate', 'rv-rotate');
      const first = await login('rv-rotate@example.com');
      expect(first.refreshToken).toMatch(/^[0-9A-Z]{26}\.[A-Za-z0-9_-]{43}$/);
      // Access tokens are short-lived: 15 minutes by default.
      expect(Date.parse(first.expiresAt) - Date.now()).toBeLessThanOrEqual(15 * 60_000 + 1000);

      // The session id is no secret (it is every access token's `sid`): with a forged secret it
      // neither refreshes nor signs out, nor counts as reuse that would end the session.
      const forged = `${first.refreshToken.split('.')[0]}.${'A'.repeat(43)}`;
      expect((await refresh(forged)).status).toBe(401);
      expect((await postJson(`${stack.httpUrl}/v1/auth/logout`, { refreshToken: forged })).status).toBe(401);

      const second = await refresh(first.refreshToken);
      expect(second.status).toBe(200);
      expect(second.body.refreshToken).not.toBe(first.refreshToken);
      expect(second.body.refreshToken.split('.')[0]).toBe(first.refreshToken.split('.')[0]);
      expect(second.body.user).toMatchObject({ id: 'rv-rotate', role: 'agent' });
      const third = await refresh(second.body.refreshToken);
      expect(third.status).toBe(200);
      const { client: socket } = await connectAndSync(stack, third.body.token);

      // The first token again: reuse. It is refused and the family ends with it.
      const replay = await refresh(first.refreshToken);
      expect(replay.status).toBe(401);
      expect(replay.body.error.message).toMatch(/already used/);
      expect((await refresh(third.body.refreshToken)).status).toBe(401);
      expect((await getJson(`${stack.httpUrl}/v1/conversations`, third.body.token)).status).toBe(401);
      // The socket of that session is still open but its next action is refused and it closes.
      socket.send({ action: 'heartbeat' });
      expect(await socket.waitFor((frame) => frame.type === 'error')).toMatchObject({ code: 'unauthorized', action: 'heartbeat' });
      await socket.waitForClose();
      // Another sign-in is a new session, unaffected.
      const fresh = await login('rv-rotate@example.com');
      expect((await refresh(fresh.refreshToken)).status).toBe(200);
    },
    budget(16),
  );

  it(
    'refuses malformed and unknown refresh tokens with a clear error',
    async () => {
      for (const refreshToken of ['nope', `01HZZZZZZZZZZZZZZZZZZZZZZZ.${'A'.repeat(43)}`]) {
        const response = await refresh(refreshToken);
        expect(response.status).toBe(401);
        expect(response.body.error.code).toBe('unauthorized');
      }
      expect((await postJson(`${stack.httpUrl}/v1/auth/refresh`, { refreshToken: 'x', extra: 1 })).status).toBe(400);
      expect((await postJson(`${stack.httpUrl}/v1/auth/logout`, { refreshToken: 'nope' })).status).toBe(401);
    },
    budget(5),
  );
});

describe('a connection whose token expires', () => {
  it(
    'is closed with `unauthorized` at its next heartbeat after the expiry',
    async () => {
      const shortLived = await mintToken(await parleySigningKey(stack), { id: 'guest:expiring', role: 'customer' }, 2);
      const { client } = await connectAndSync(stack, shortLived);
      const expiresAtMs = (Math.floor(Date.now() / 1000) + 2) * 1000;
      // Heartbeats answer pong until the expiry, then unauthorized and a close (waited for, not slept).
      let reply: Frame;
      do {
        reply = await client.request({ action: 'heartbeat' }, ['pong', 'error']);
      } while (reply.type === 'pong');
      expect(Date.now()).toBeGreaterThanOrEqual(expiresAtMs - 1000);
      expect(reply).toMatchObject({ type: 'error', code: 'unauthorized', action: 'heartbeat' });
      await client.waitForClose();
    },
    budget(6),
  );
});
