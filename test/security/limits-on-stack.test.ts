import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { RawClient, postJson } from '../../local/tools/raw-client';
import { ask, connectAndSync, guestToken, settled, storedItems } from './support';
import { beforeAllOrFail, budget, STACK_START_MS } from '../support/setup';

let stack: LocalStack;

beforeAllOrFail(async () => {
  stack = await startLocalStack({
    httpPort: 0,
    wsPort: 0,
    demo: true,
    // Windows and locks far longer than the file runs: a slow machine cannot see one lapse
    // (and refund an earlier test's requests) mid-file.
    env: {
      RATE_LIMIT_GUEST_TOKENS: '4/3600',
      RATE_LIMIT_LOGINS: '20/3600',
      RATE_LIMIT_MESSAGES: '3/3600',
      RATE_LIMIT_STARTS: '1/3600',
      RATE_LIMIT_CONNECTS_PER_USER: '3/3600',
      RATE_LIMIT_CONNECTS_PER_IP: '10/3600',
      RATE_LIMIT_SESSION_CALLS: '3/3600',
      LOGIN_FREE_ATTEMPTS: '3',
      LOGIN_LOCK_BASE_MS: '600000',
    },
  });
}, STACK_START_MS);

afterAll(async () => {
  await stack?.stop();
});

describe('abuse limits on the running system', () => {
  it('messages per connection: rate_limited with retryAfterMs, nothing stored; another connection is not affected', async () => {
    const token = await guestToken(stack);
    const { client } = await connectAndSync(stack, token);
    const ack = await ask(client, { action: 'start', text: 'hello', clientMsgId: 'm0' }, ['ack', 'error']);
    expect(ack.type).toBe('ack');
    const conversationId = ((await client.nextOfType('conversation')).conversation as { id: string }).id;
    for (const id of ['m1', 'm2', 'm3'])
      expect((await ask(client, { action: 'message', conversationId, clientMsgId: id, text: id }, ['ack', 'error'])).type).toBe('ack');
    await settled(stack, undefined, budget(3)); // routing of the start runs in the background
    const before = await storedItems(stack);
    const refused = await ask(client, { action: 'message', conversationId, clientMsgId: 'm4', text: 'one too many' }, ['ack', 'error']);
    expect(refused).toMatchObject({ type: 'error', code: 'rate_limited', action: 'message', clientMsgId: 'm4' });
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(3_600_000);
    expect(await storedItems(stack)).toEqual(before);
    const second = (await connectAndSync(stack, token)).client;
    expect(
      (await ask(second, { action: 'message', conversationId, clientMsgId: 'm5', text: 'from my phone' }, ['ack', 'error'])).type,
    ).toBe('ack');
    await Promise.all([client.close(), second.close()]);
  });

  it('starts per user: a second start within the window is refused', async () => {
    const { client } = await connectAndSync(stack, await guestToken(stack));
    expect((await ask(client, { action: 'start', skill: 'billing' }, ['conversation', 'error'])).type).toBe('conversation');
    const refused = await ask(client, { action: 'start', skill: 'billing' }, ['conversation', 'error']);
    expect(refused).toMatchObject({ type: 'error', code: 'rate_limited', action: 'start' });
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    await client.close();
  });

  it('guest tokens per IP: 429 with Retry-After once the limit is spent', async () => {
    // Earlier tests in this file already took two of the four.
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 3; i++) {
      last = await fetch(`${stack.httpUrl}/v1/auth/guest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([201, 201, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await last!.json()).toMatchObject({ error: { code: 'rate_limited' } });
  });

  it('refresh and logout per IP: counted before the body is even read, 429 once spent', async () => {
    const statuses = [];
    for (const path of ['refresh', 'logout', 'refresh', 'refresh']) {
      statuses.push((await postJson(`${stack.httpUrl}/v1/auth/${path}`, { refreshToken: 'not-a-live-session-token' })).status);
    }
    // The first three are answered on their merits (the token names no session), the fourth is not.
    expect(statuses.slice(0, 3).filter((status) => status === 429)).toEqual([]);
    expect(statuses[3]).toBe(429);
  });

  it('connections per user, then per IP: the handshake is refused with 429', async () => {
    const login = async (email: string) =>
      (await postJson(`${stack.httpUrl}/v1/auth/login`, { email, password: 'parley-demo' })).body.token as string;
    const status = async (token: string) => {
      const outcome = await RawClient.connect(stack.wsUrl, token).then(
        async (client) => {
          await client.close();
          return 101;
        },
        (error: unknown) => Number(/HTTP (\d+)/.exec(String(error))?.[1] ?? 0),
      );
      return outcome;
    };
    // Three earlier connections in this file came from this address too.
    const agent = await login('agent.billing@example.com');
    const perUser = [];
    for (let i = 0; i < 4; i++) perUser.push(await status(agent));
    expect(perUser).toEqual([101, 101, 101, 429]);
    // 7 of the address's 10 are taken: two identities with room of their own get 3 more, then 429.
    const supervisor = await login('supervisor@example.com');
    const admin = await login('admin@example.com');
    expect([await status(supervisor), await status(supervisor), await status(admin), await status(admin)]).toEqual([101, 101, 101, 429]);
  });

  it('login back-off: after the free failures the email+IP is locked, even for the right password', async () => {
    const attempt = (password: string) => postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'agent.tech@example.com', password });
    for (let i = 0; i < 3; i++) expect((await attempt('wrong')).status).toBe(401);
    const locked = await attempt('wrong');
    expect(locked).toMatchObject({ status: 429, body: { error: { code: 'rate_limited' } } });
    expect((await attempt('parley-demo')).status).toBe(429);
    // Another account from the same address is not locked.
    expect((await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'agent.billing@example.com', password: 'parley-demo' })).status).toBe(
      200,
    );
  });
});
