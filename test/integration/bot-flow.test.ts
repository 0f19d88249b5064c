import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_AUTO_REPLIES } from '../../local/seed';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { type Frame, getJson, postJson, RawClient } from '../../local/tools/raw-client';
import { storedItems } from '../security/support';
import { beforeAllOrFail, budget, STACK_START_MS } from '../support/setup';

/**
 * The first-line bot on the local stack, with the demo auto-replies seeded (billing: a welcome
 * and a refund rule; tech: a password-reset pattern), as `npm start` has them.
 */
let stack: LocalStack;
const tokens: Record<'admin' | 'supervisor' | 'agent', string> = { admin: '', supervisor: '', agent: '' };

beforeAllOrFail(async () => {
  stack = await startLocalStack({ httpPort: 0, wsPort: 0, demo: true, demoAutoReplies: true });
  const login = async (email: string) =>
    (await postJson(`${stack.httpUrl}/v1/auth/login`, { email, password: 'parley-demo' })).body.token as string;
  tokens.admin = await login('admin@example.com');
  tokens.supervisor = await login('supervisor@example.com');
  tokens.agent = await login('agent.billing@example.com');
}, STACK_START_MS + budget(3));

afterAll(async () => {
  await stack?.stop();
});

async function connect(token: string): Promise<RawClient> {
  const client = await RawClient.connect(stack.wsUrl, token);
  await client.request({ action: 'sync' }, ['synced']);
  return client;
}

async function guest(name: string): Promise<RawClient> {
  return connect((await postJson(`${stack.httpUrl}/v1/auth/guest`, { name })).body.token as string);
}

const BILLING = DEMO_AUTO_REPLIES.billing!;
const REFUND_ANSWER = BILLING.rules[0]!.answer;
const isMessage = (conversationId: string, seq?: number) => (frame: Frame) =>
  frame.type === 'message' && frame.conversationId === conversationId && (seq === undefined || frame.seq === seq);

/** Frames up to and including the first of `type`. */
async function replyUntil(client: RawClient, type: string): Promise<Frame[]> {
  const frames: Frame[] = [];
  for (;;) {
    const frame = await client.next((candidate) => ['ack', 'message', 'conversation', 'error', type].includes(candidate.type));
    frames.push(frame);
    if (frame.type === type || frame.type === 'error') return frames;
  }
}

async function history(conversationId: string, token = tokens.supervisor): Promise<Array<Record<string, unknown>>> {
  const response = await getJson(`${stack.httpUrl}/v1/conversations/${conversationId}/messages`, token);
  expect(response.status).toBe(200);
  return response.body.messages;
}

const byStatus = async (status: string) =>
  (await getJson(`${stack.httpUrl}/v1/conversations?status=${status}`, tokens.supervisor)).body.conversations as Array<{ id: string }>;

const BOT_SENDER = { id: 'bot', role: 'system', name: 'Billing Bot' };

describe('the first-line bot on the local stack', () => {
  it(
    'answers a matching first question in `bot`, answers again, hands off on request to an online agent who sees the whole history',
    async () => {
      const agent = await connect(tokens.agent);
      await agent.request({ action: 'status', status: 'online' }, ['status']);
      const customer = await guest('Refund Rita');

      customer.send({ action: 'start', skill: 'billing', text: 'How do I get a REFUND?', clientMsgId: 'r-1' });
      const started = await replyUntil(customer, 'conversation');
      const conversation = started.at(-1)!.conversation as { id: string; status: string; lastSeq: number };
      const conversationId = conversation.id;
      expect(started.map((frame) => frame.type)).toEqual(['ack', 'message', 'message', 'conversation']);
      expect(started[0]).toMatchObject({ clientMsgId: 'r-1', seq: 1 });
      expect(started[1]).toMatchObject({ seq: 2, sender: BOT_SENDER, text: BILLING.welcome!.en, clientMsgId: `welcome:${conversationId}` });
      expect(started[2]).toMatchObject({ seq: 3, sender: BOT_SENDER, text: REFUND_ANSWER.en, clientMsgId: `bot:${conversationId}:1` });
      expect(conversation).toMatchObject({ status: 'bot', lastSeq: 3 });

      // In `bot`: not queued, so the online agent is not given it; supervisors list it under `bot`.
      expect((await byStatus('bot')).map((listed) => listed.id)).toContain(conversationId);
      expect((await byStatus('queued')).map((listed) => listed.id)).not.toContain(conversationId);

      // A second matching question (in Chinese; the visitor gave no locale) is answered in Chinese.
      customer.send({ action: 'message', conversationId, text: '我想退款', clientMsgId: 'r-2' });
      const second = await replyUntil(customer, 'message');
      expect(second.map((frame) => frame.type)).toEqual(['ack', 'message']);
      expect(second[0]).toMatchObject({ seq: 4 });
      expect(second[1]).toMatchObject({ seq: 5, sender: BOT_SENDER, text: REFUND_ANSWER['zh-CN'], clientMsgId: `bot:${conversationId}:4` });

      // Retries store nothing twice: the same start and the same message again.
      customer.send({ action: 'start', skill: 'billing', text: 'How do I get a REFUND?', clientMsgId: 'r-1' });
      expect((await replyUntil(customer, 'conversation'))[0]).toMatchObject({ type: 'ack', seq: 1 });
      customer.send({ action: 'message', conversationId, text: '我想退款', clientMsgId: 'r-2' });
      expect((await replyUntil(customer, 'message')).map((frame) => [frame.type, frame.seq])).toEqual([
        ['ack', 4],
        ['message', 5],
      ]);
      expect((await history(conversationId)).map((message) => message.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(agent.all('assigned')).toEqual([]);

      // "Talk to a person": queued, routed to the online billing agent.
      customer.send({ action: 'handoff', conversationId });
      const handed = await customer.next((frame) => frame.type === 'conversation' || frame.type === 'error');
      expect(handed).toMatchObject({ type: 'conversation', conversation: { id: conversationId, status: 'queued' } });
      expect(await customer.waitFor(isMessage(conversationId, 6))).toMatchObject({ sender: { id: 'system', role: 'system' } });
      expect(await agent.waitFor((frame) => frame.type === 'assigned' && frame.conversationId === conversationId)).toMatchObject({
        agent: { id: 'agent-billing' },
      });
      const seen = await history(conversationId, tokens.agent);
      expect(seen.map((message) => [message.seq, (message.sender as { id: string }).id])).toEqual([
        [1, expect.stringMatching(/^guest:/)],
        [2, 'bot'],
        [3, 'bot'],
        [4, expect.stringMatching(/^guest:/)],
        [5, 'bot'],
        [6, 'system'],
      ]);

      // A second handoff changes nothing and answers the current conversation.
      customer.send({ action: 'handoff', conversationId });
      expect(await customer.next((frame) => frame.type === 'conversation' || frame.type === 'error')).toMatchObject({
        conversation: { id: conversationId, status: 'assigned' },
      });
      expect(await history(conversationId)).toHaveLength(6);

      await customer.request({ action: 'close', conversationId }, ['closed']);
      await Promise.all([customer.close(), agent.close()]);
    },
    budget(24),
  ); // 2 connects (2 steps each), status, start, 2 lists, message, 2 retries, history, handoff, notice, assignment, history, handoff, close

  it(
    'a start no rule answers queues normally, with the welcome stored once; a retried start stores nothing twice',
    async () => {
      const customer = await guest('Invoice Ivan');
      customer.send({ action: 'start', skill: 'billing', text: 'My invoice looks wrong', clientMsgId: 'i-1' });
      const started = await replyUntil(customer, 'conversation');
      const conversation = started.at(-1)!.conversation as { id: string };
      expect(started.map((frame) => frame.type)).toEqual(['ack', 'message', 'conversation']);
      expect(started.at(-1)).toMatchObject({ conversation: { status: 'queued', lastSeq: 2 } });
      expect(started[1]).toMatchObject({ seq: 2, sender: BOT_SENDER, text: BILLING.welcome!.en });

      customer.send({ action: 'start', skill: 'billing', text: 'My invoice looks wrong', clientMsgId: 'i-1' });
      await replyUntil(customer, 'conversation');
      customer.send({ action: 'message', conversationId: conversation.id, text: 'Hello?', clientMsgId: 'i-2' });
      await customer.nextOfType('ack');
      const messages = await history(conversation.id);
      expect(messages.map((message) => message.text)).toEqual(['My invoice looks wrong', BILLING.welcome!.en, 'Hello?']);
      await customer.request({ action: 'close', conversationId: conversation.id }, ['closed']);
      await customer.close();
    },
    budget(9),
  ); // connect (2 steps), start, retry, message, history, close

  it(
    'a follow-up no rule answers hands the bot conversation to the queue with a notice; a pattern rule answers in the visitor locale',
    async () => {
      const customer = await guest('Password Pia');
      customer.send({
        action: 'start',
        skill: 'tech',
        text: 'how can I Reset my password',
        clientMsgId: 'p-1',
        visitor: { locale: 'zh-CN' },
      });
      const started = await replyUntil(customer, 'conversation');
      const conversationId = (started.at(-1)!.conversation as { id: string }).id;
      expect(started.at(-1)).toMatchObject({ conversation: { status: 'bot' } });
      // tech has no welcome: the answer follows the question, in the visitor's Chinese.
      expect(started[1]).toMatchObject({
        seq: 2,
        sender: { id: 'bot', role: 'system', name: 'Tech Bot' },
        text: DEMO_AUTO_REPLIES.tech!.rules[0]!.answer['zh-CN'],
      });

      customer.send({ action: 'message', conversationId, text: 'my screen is blank', clientMsgId: 'p-2' });
      const frames = await replyUntil(customer, 'message');
      expect(frames.map((frame) => frame.type)).toEqual(['ack', 'message']);
      expect(frames[1]).toMatchObject({ seq: 4, sender: { id: 'system' }, clientMsgId: `notice:handoff:${conversationId}` });
      expect((await byStatus('queued')).map((listed) => listed.id)).toContain(conversationId);
      // Now waiting like any queued conversation: the queue tells the customer where it stands.
      expect(await customer.waitFor((frame) => frame.type === 'queued' && frame.conversationId === conversationId)).toMatchObject({
        position: expect.any(Number),
      });
      await customer.request({ action: 'close', conversationId }, ['closed']);
      await customer.close();
    },
    budget(9),
  ); // connect (2 steps), start, message, list, queued, close

  it(
    'an open waiting conversation that already holds a message stays in the queue when a later start would match',
    async () => {
      const customer = await guest('Early Eve');
      // Nobody serves tech on this stack: the conversation waits and is told so (a stored notice, seq 1).
      const opened = await customer.request({ action: 'start', skill: 'tech' }, ['conversation']);
      const conversationId = (opened.conversation as { id: string }).id;
      await customer.next(isMessage(conversationId, 1));
      // Only an empty conversation may move to `bot`: this one keeps its place in the queue.
      customer.send({ action: 'start', skill: 'tech', text: 'I need to reset my password', clientMsgId: 'e-1' });
      const started = await replyUntil(customer, 'conversation');
      expect(started.map((frame) => frame.type)).toEqual(['ack', 'conversation']);
      expect(started.at(-1)).toMatchObject({ conversation: { id: conversationId, status: 'queued', lastSeq: 2 } });
      expect((await byStatus('queued')).map((listed) => listed.id)).toContain(conversationId);
      await customer.request({ action: 'close', conversationId }, ['closed']);
      await customer.close();
    },
    budget(9),
  ); // connect (2 steps), start, notice, start, list, close

  it(
    'handoff: only the customer (or a supervisor) of a bot conversation; a bad frame is refused; nothing changes',
    async () => {
      const owner = await guest('Owner Olga');
      const stranger = await guest('Stranger Stan');
      owner.send({ action: 'start', skill: 'billing', text: 'refund please', clientMsgId: 'o-1' });
      const conversationId = ((await replyUntil(owner, 'conversation')).at(-1)!.conversation as { id: string }).id;
      const before = await storedItems(stack);
      stranger.send({ action: 'handoff', conversationId });
      expect(await stranger.next((frame) => frame.type === 'error')).toMatchObject({ code: 'forbidden', action: 'handoff' });
      stranger.send({ action: 'handoff', conversationId, extra: 1 });
      expect(await stranger.next((frame) => frame.type === 'error')).toMatchObject({ code: 'bad_request', action: 'handoff' });
      stranger.send({ action: 'handoff' });
      expect(await stranger.next((frame) => frame.type === 'error')).toMatchObject({ code: 'bad_request', action: 'handoff' });
      expect(await storedItems(stack)).toEqual(before);
      // An agent may not take a bot conversation by transfer either.
      const supervisor = await connect(tokens.supervisor);
      supervisor.send({ action: 'transfer', conversationId, toSkill: 'tech' });
      expect(await supervisor.next((frame) => frame.type === 'error')).toMatchObject({ code: 'conflict', action: 'transfer' });
      expect(await storedItems(stack)).toEqual(before);
      // The customer can close it.
      expect(await owner.request({ action: 'close', conversationId }, ['closed', 'error'])).toMatchObject({ type: 'closed' });
      await Promise.all([owner.close(), stranger.close(), supervisor.close()]);
    },
    budget(14),
  ); // 3 connects (2 steps each), start, 2 fingerprints, 3 refusals, transfer, fingerprint, close
});

describe('the auto-replies admin API', () => {
  const url = (skill: string, suffix = '') => `${stack.httpUrl}/v1/skills/${skill}/auto-replies${suffix}`;
  const put = async (skill: string, body: unknown, token = tokens.admin) => {
    const response = await fetch(url(skill), {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  };

  it(
    'supervisors and admins read, admins write; agents and customers are refused',
    async () => {
      const customerToken = (await postJson(`${stack.httpUrl}/v1/auth/guest`, { name: 'Cy' })).body.token as string;
      expect((await getJson(url('billing'), tokens.admin)).body).toMatchObject({ skill: 'billing', source: 'skill', autoReplies: BILLING });
      expect((await getJson(url('billing'), tokens.supervisor)).status).toBe(200);
      expect((await getJson(url('billing'), tokens.agent)).status).toBe(403);
      expect((await getJson(url('billing'), customerToken)).status).toBe(403);
      expect((await getJson(url('billing'))).status).toBe(401);
      // A skill without its own settings shows the default's (none here).
      expect((await getJson(url('general'), tokens.admin)).body).toMatchObject({ source: 'none', autoReplies: { rules: [] } });

      const before = await storedItems(stack);
      for (const token of [tokens.supervisor, tokens.agent, customerToken]) {
        expect((await put('billing', { rules: [] }, token)).status).toBe(403);
      }
      expect(await storedItems(stack)).toEqual(before);

      const saved = await put('_default', {
        botName: 'Default Bot',
        rules: [{ id: 'hours', keywords: ['opening hours'], answer: { en: '9-5' } }],
      });
      expect(saved).toMatchObject({ status: 200, body: { skill: '_default', source: 'skill', updatedBy: 'admin' } });
      expect((await getJson(url('general'), tokens.supervisor)).body).toMatchObject({
        source: '_default',
        autoReplies: { botName: 'Default Bot' },
      });
      const tried = await postJson(url('general', '/test'), { question: 'What are your Opening  Hours?' }, tokens.supervisor);
      expect(tried).toMatchObject({ status: 200, body: { match: { ruleId: 'hours', answer: '9-5', locale: 'en' }, welcome: null } });
      expect((await postJson(url('general', '/test'), { question: 'x' }, tokens.agent)).status).toBe(403);
      expect((await put('_default', { rules: [] })).status).toBe(200);
    },
    budget(8),
  );

  it(
    'a bad body is a 400 naming the problem and changes nothing',
    async () => {
      const rule = (extra: Record<string, unknown> = {}) => ({ id: 'r1', keywords: ['refund'], answer: { en: 'Yes' }, ...extra });
      const cases: Array<[string, unknown, RegExp]> = [
        ['a backreference', { rules: [rule(), rule({ id: 'bad', pattern: '(a)\\1' })] }, /rule 2 \("bad"\).*pattern/],
        ['lookahead', { rules: [rule({ pattern: '(?=x)' })] }, /rule 1 \("r1"\)/],
        ['51 rules', { rules: Array.from({ length: 51 }, (_, index) => rule({ id: `r${index}` })) }, /50 rules/],
        ['an empty answer', { rules: [rule({ answer: { en: ' ' } })] }, /rules\.0\.answer\.en/],
        ['an answer of 2001 characters', { rules: [rule({ answer: { en: 'x'.repeat(2001) } })] }, /2000/],
        ['21 keywords', { rules: [rule({ keywords: Array.from({ length: 21 }, (_, index) => `k${index}`) })] }, /rules\.0\.keywords/],
        ['a keyword of 101 characters', { rules: [rule({ keywords: ['k'.repeat(101)] })] }, /100/],
        ['neither keywords nor a pattern', { rules: [{ id: 'r1', answer: { en: 'Yes' } }] }, /keywords or a pattern/],
        ['duplicate ids', { rules: [rule(), rule()] }, /same id/],
        ['an unknown field', { rules: [], extra: true }, /unknown field extra/],
        ['no rules', { welcome: { en: 'Hi' } }, /rules/],
        ['not JSON', '{"rules": [', /not valid JSON/],
      ];
      const before = await storedItems(stack);
      for (const [what, body, message] of cases) {
        const response = await put('billing', body);
        expect({ what, status: response.status, code: response.body.error?.code }).toEqual({ what, status: 400, code: 'bad_request' });
        expect(response.body.error.message, what).toMatch(message);
      }
      expect((await put('BILLING', { rules: [] })).status).toBe(400);
      expect((await postJson(url('billing', '/test'), { question: '' }, tokens.admin)).status).toBe(400);
      expect(await storedItems(stack)).toEqual(before);
    },
    budget(6),
  );
});
