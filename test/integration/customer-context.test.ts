import { SignJWT } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { RawClient, getJson, postJson, type Frame } from '../../local/tools/raw-client';
import { connectAndSync, storedItems } from '../security/support';
import { beforeAllOrFail, budget, STACK_START_MS } from '../support/setup';

/**
 * Issue 10: what a start tells about the visitor (page, referrer, browser) and what the site
 * vouches for (email, attrs) is stored on the conversation and shown to staff who may see the
 * customer, with the customer's past conversations; the customer lists their own.
 */
let stack: LocalStack;
const agents = {} as Record<'tech' | 'billing', { token: string; client: RawClient }>;

beforeAllOrFail(async () => {
  stack = await startLocalStack({ httpPort: 0, wsPort: 0, demo: true });
  for (const [who, email] of [
    ['tech', 'agent.tech@example.com'],
    ['billing', 'agent.billing@example.com'],
  ] as const) {
    const token = (await postJson(`${stack.httpUrl}/v1/auth/login`, { email, password: 'parley-demo' })).body.token as string;
    agents[who] = { token, client: (await connectAndSync(stack, token)).client };
  }
  // Only agent-tech (billing and tech) is online: it gets every chat.
  await agents.tech.client.request({ action: 'status', status: 'online' }, ['status']);
}, STACK_START_MS + budget(8));

afterAll(async () => {
  for (const agent of Object.values(agents)) await agent.client.close();
  await stack?.stop();
});

/** An identified-customer token as the embedding site signs it (docs/security.md). */
async function siteToken(sub: string, claims: Record<string, unknown>): Promise<string> {
  const { key, issuer, audience } = stack.identifiedCustomer;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ name: 'Ann Lee', ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(new TextEncoder().encode(key));
}

const VISITOR = {
  locale: 'zh-CN',
  timeZone: 'Asia/Shanghai',
  page: 'https://shop.example/cart?item=42',
  referrer: 'https://search.example/?q=router',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/126',
};
const ATTRS = { plan: 'gold', seats: 12, vip: true };

async function startAndClose(client: RawClient, skill: string, text: string, visitor?: Record<string, unknown>): Promise<string> {
  client.send({ action: 'start', skill, text, clientMsgId: `start-${text}`, ...(visitor ? { visitor } : {}) });
  const id = ((await client.nextOfType('conversation')).conversation as { id: string }).id;
  await client.waitFor((frame) => frame.type === 'assigned' && frame.conversationId === id);
  await client.request({ action: 'close', conversationId: id }, ['closed']);
  return id;
}

const customersUrl = (customerId: string, query = '') =>
  `${stack.httpUrl}/v1/customers/${encodeURIComponent(customerId)}/conversations${query}`;

describe('the customer context', () => {
  it(
    'stores the start metadata and the identified attrs, lists them to staff newest first, paged, and to the customer without them',
    async () => {
      const token = await siteToken('cust-ctx', { email: 'ann@shop.example', attrs: ATTRS });
      const { client, session } = await connectAndSync(stack, token);
      const customerId = (session.user as { id: string }).id;
      expect(customerId).toBe('site:cust-ctx');
      const first = await startAndClose(client, 'tech', 'first', VISITOR);
      await client.request({ action: 'rate', conversationId: first, score: 5, comment: 'quick' }, ['rated']);
      const second = await startAndClose(client, 'billing', 'second');

      const staffView = await getJson(customersUrl(customerId), agents.tech.token);
      expect(staffView.status).toBe(200);
      expect(staffView.body.customerId).toBe(customerId);
      const listed = staffView.body.conversations as Frame[];
      expect(listed.map((conversation) => conversation.id)).toEqual([second, first]);
      expect(listed[1]).toMatchObject({
        id: first,
        status: 'closed',
        skill: 'tech',
        closedAt: expect.any(String),
        rating: { score: 5, comment: 'quick' },
        context: { email: 'ann@shop.example', attrs: ATTRS, ...VISITOR },
      });
      // No visitor on the second start: only what the token vouched for.
      expect(listed[0]?.context).toEqual({ email: 'ann@shop.example', attrs: ATTRS });

      // Paged: one at a time, older with `before`.
      const page1 = await getJson(customersUrl(customerId, '?limit=1'), agents.tech.token);
      expect((page1.body.conversations as Frame[]).map((c) => c.id)).toEqual([second]);
      expect(page1.body.next).toBe(second);
      const page2 = await getJson(customersUrl(customerId, `?limit=1&before=${page1.body.next}`), agents.tech.token);
      expect((page2.body.conversations as Frame[]).map((c) => c.id)).toEqual([first]);
      expect(page2.body.next).toBeUndefined();

      // The customer lists their own (any browser: the same site user id), without the staff context.
      const own = await getJson(customersUrl(customerId), token);
      expect(own.status).toBe(200);
      expect((own.body.conversations as Frame[]).map((c) => c.id)).toEqual([second, first]);
      expect((own.body.conversations as Frame[]).every((c) => c.context === undefined)).toBe(true);
      const elsewhere = await siteToken('cust-ctx', {});
      expect((await getJson(customersUrl(customerId), elsewhere)).body.conversations).toHaveLength(2);

      // An agent serving billing (never assigned) may see the customer through the billing chat and read the tech one.
      const billingView = await getJson(customersUrl(customerId), agents.billing.token);
      expect(billingView.status).toBe(200);
      const read = await getJson(`${stack.httpUrl}/v1/conversations/${first}/messages`, agents.billing.token);
      expect(read.status).toBe(200);
      expect(read.body.messages[0]).toMatchObject({ seq: 1, text: 'first' });
      await client.close();
    },
    budget(16),
  );

  it(
    'an agent who serves none of the customer’s skills and was never assigned may not list or read them',
    async () => {
      const token = await siteToken('cust-tech-only', {});
      const { client } = await connectAndSync(stack, token);
      const only = await startAndClose(client, 'tech', 'tech only');
      const before = await storedItems(stack);
      const listing = await getJson(customersUrl('site:cust-tech-only'), agents.billing.token);
      expect(listing.status).toBe(403);
      expect(listing.body).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
      expect((await getJson(`${stack.httpUrl}/v1/conversations/${only}/messages`, agents.billing.token)).status).toBe(403);
      expect(await storedItems(stack)).toEqual(before);
      await client.close();
    },
    budget(10),
  );

  it(
    'bad start metadata is refused as bad_request and stores nothing',
    async () => {
      const token = (await postJson(`${stack.httpUrl}/v1/auth/guest`, { name: 'Bad' })).body.token as string;
      const { client } = await connectAndSync(stack, token);
      for (const visitor of [
        { page: 'javascript:alert(1)' },
        { referrer: `https://x.example/${'a'.repeat(2000)}` },
        { userAgent: 'U'.repeat(301) },
      ]) {
        const before = await storedItems(stack);
        client.send({ action: 'start', skill: 'tech', text: 'hi', clientMsgId: 'bad-1', visitor });
        expect(await client.nextOfType('error')).toMatchObject({ code: 'bad_request', action: 'start' });
        expect(await storedItems(stack)).toEqual(before);
      }
      await client.close();
    },
    budget(8),
  );

  it(
    'a token with a bad attrs claim is refused at $connect; bad ids and cursors are bad_request',
    async () => {
      const bad = await siteToken('cust-bad', { attrs: { address: { city: 'Berlin' } } });
      await expect(RawClient.connect(stack.wsUrl, bad)).rejects.toThrow(/HTTP 403/);
      const supervisor = (await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'supervisor@example.com', password: 'parley-demo' }))
        .body.token as string;
      expect((await getJson(customersUrl('agent-tech'), supervisor)).status).toBe(400);
      expect((await getJson(customersUrl('guest:x', '?before=../../x'), supervisor)).status).toBe(400);
      expect((await getJson(customersUrl('guest:x', '?limit=0'), supervisor)).status).toBe(400);
      const empty = await getJson(customersUrl('guest:nobody'), supervisor);
      expect(empty).toMatchObject({ status: 200, body: { customerId: 'guest:nobody', conversations: [] } });
    },
    budget(6),
  );
});
