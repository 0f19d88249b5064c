import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { deleteJson, getJson, postJson, putJson, type Frame, type RawClient } from '../../local/tools/raw-client';
import { connectAndSync, guestToken, settled, storedItems } from '../security/support';
import { beforeAllOrFail, budget, STACK_START_MS } from '../support/setup';
import { waitFor } from '../support/wait';

/** Configured skills (issue 10): only they are started, served, transferred to and given hours. */
let stack: LocalStack;
let admin: string;
let supervisor: string;

const url = (path: string) => `${stack.httpUrl}${path}`;
const login = async (email: string) => (await postJson(url('/v1/auth/login'), { email, password: 'parley-demo' })).body.token as string;
const about = (type: string, conversationId: string) => (frame: Frame) => frame.type === type && frame.conversationId === conversationId;

beforeAllOrFail(async () => {
  stack = await startLocalStack({ httpPort: 0, wsPort: 0, demo: true, web: false });
  admin = await login('admin@example.com');
  supervisor = await login('supervisor@example.com');
}, STACK_START_MS + budget(2));

afterAll(async () => {
  await stack?.stop();
});

async function customer(name: string): Promise<RawClient> {
  return (await connectAndSync(stack, await guestToken(stack, name))).client;
}

async function agentOnline(email: string): Promise<RawClient> {
  const { client } = await connectAndSync(stack, await login(email));
  await client.request({ action: 'status', status: 'online' }, ['status']);
  return client;
}

/** Nothing stored changed across `refused` (background work settled first). */
async function changesNothing(refused: () => Promise<void>): Promise<void> {
  await settled(stack, undefined, budget(3));
  const before = await storedItems(stack);
  await refused();
  expect(await storedItems(stack)).toEqual(before);
}

describe('the skills API', () => {
  it(
    'lists the demo skills with their names (and the default skill) to any staff member; admins add one',
    async () => {
      const agent = await login('agent.billing@example.com');
      const listed = await getJson(url('/v1/skills'), agent);
      expect(listed.status).toBe(200);
      expect(listed.body.skills).toEqual([
        { id: 'general', names: { en: 'general' }, default: true },
        { id: 'billing', names: { en: 'Billing', 'zh-CN': '账单' } },
        { id: 'tech', names: { en: 'Tech support', 'zh-CN': '技术支持' } },
      ]);
      const put = await putJson(url('/v1/skills/vip'), { names: { en: 'VIP', 'zh-CN': '贵宾' } }, admin);
      expect(put).toMatchObject({ status: 200, body: { skill: { id: 'vip', names: { en: 'VIP', 'zh-CN': '贵宾' } } } });
      expect((await getJson(url('/v1/skills'), supervisor)).body.skills.map((skill: { id: string }) => skill.id)).toContain('vip');
    },
    budget(4),
  );

  it(
    'refuses bad names and bad skill ids with nothing stored',
    async () => {
      await changesNothing(async () => {
        for (const body of [{}, { names: {} }, { names: { en: '' } }, { names: { en: 'x'.repeat(61) } }, { names: { en: 'A', fr: 'B' } }]) {
          const response = await putJson(url('/v1/skills/newone'), body, admin);
          expect(response.status).toBe(400);
          expect(response.body.error.code).toBe('bad_request');
        }
        expect((await putJson(url('/v1/skills/NOT%20A%20SKILL'), { names: { en: 'X' } }, admin)).status).toBe(404);
      });
    },
    budget(4),
  );

  it(
    'refuses to delete a skill while agents serve it or conversations wait in it, saying which; deletes it after',
    async () => {
      expect((await putJson(url('/v1/skills/busy'), { names: { en: 'Busy' } }, admin)).status).toBe(200);
      const created = await postJson(
        url('/v1/agents'),
        { id: 'busy-agent', email: 'busy@example.com', name: 'Busy', password: 'a-long-password', skills: ['busy'] },
        admin,
      );
      expect(created.status).toBe(201);
      await changesNothing(async () => {
        const refused = await deleteJson(url('/v1/skills/busy'), admin);
        expect(refused.status).toBe(409);
        expect(refused.body.error).toEqual({ code: 'conflict', message: 'Skill "busy" is in use: agents serve it (busy-agent)' });
      });
      expect((await putJson(url('/v1/agents/busy-agent'), { skills: [] }, admin)).status).toBe(200);

      // A customer waits in it (nobody serves it now).
      const waiting = await customer('Wendy');
      const started = await waiting.request({ action: 'start', skill: 'busy', text: 'hello', clientMsgId: 'w-1' }, ['conversation']);
      const conversationId = (started.conversation as { id: string }).id;
      await changesNothing(async () => {
        const refused = await deleteJson(url('/v1/skills/busy'), admin);
        expect(refused.body.error).toEqual({ code: 'conflict', message: 'Skill "busy" is in use: 1 conversation waits in it' });
      });
      await waiting.request({ action: 'close', conversationId }, ['closed']);

      expect(await deleteJson(url('/v1/skills/busy'), admin)).toEqual({ status: 200, body: { deleted: 'busy' } });
      expect((await getJson(url('/v1/skills'), admin)).body.skills.map((skill: { id: string }) => skill.id)).not.toContain('busy');
      expect((await deleteJson(url('/v1/skills/busy'), admin)).status).toBe(404);
      const general = await deleteJson(url('/v1/skills/general'), admin);
      expect(general.body.error).toMatchObject({ code: 'conflict', message: expect.stringContaining('default skill') });
      await waiting.close();
    },
    budget(14),
  );
});

describe('only configured skills are accepted', () => {
  it(
    'start in an unknown skill: bad_request naming it, no conversation stored; a skill added a moment ago works at once',
    async () => {
      const client = await customer('Typo');
      await changesNothing(async () => {
        client.send({ action: 'start', skill: 'bilingg', text: 'hello', clientMsgId: 't-1' });
        const refused = await client.next((frame) => frame.type === 'error');
        expect(refused).toMatchObject({ code: 'bad_request', action: 'start', message: expect.stringContaining('"bilingg"') });
      });
      expect((await putJson(url('/v1/skills/fresh'), { names: { en: 'Fresh' } }, admin)).status).toBe(200);
      const started = await client.request({ action: 'start', skill: 'fresh', text: 'hello', clientMsgId: 't-2' }, ['conversation']);
      expect(started.conversation).toMatchObject({ skill: 'fresh', status: 'queued' });
      await client.request({ action: 'close', conversationId: (started.conversation as { id: string }).id }, ['closed']);
      await client.close();
    },
    budget(8),
  );

  it(
    'agents, business hours and auto-replies for an unknown skill: bad_request naming it, nothing stored',
    async () => {
      await changesNothing(async () => {
        const create = await postJson(
          url('/v1/agents'),
          { id: 'typo-agent', email: 'typo@example.com', name: 'Typo', password: 'a-long-password', skills: ['billing', 'bilingg'] },
          admin,
        );
        expect(create.status).toBe(400);
        expect(create.body.error).toEqual({ code: 'bad_request', message: expect.stringContaining('"bilingg"') });
        const update = await putJson(url('/v1/agents/agent-billing'), { skills: ['free-bitcoin-here'] }, admin);
        expect(update.body.error).toEqual({ code: 'bad_request', message: expect.stringContaining('"free-bitcoin-here"') });
        const hours = { timeZone: 'UTC', weekly: { mon: [{ from: '09:00', to: '17:00' }] }, behaviour: 'queue' };
        const hoursPut = await putJson(url('/v1/skills/nope/hours'), hours, admin);
        expect(hoursPut.body.error).toEqual({ code: 'bad_request', message: expect.stringContaining('"nope"') });
        const replies = await putJson(url('/v1/skills/nope/auto-replies'), { rules: [] }, admin);
        expect(replies.body.error).toEqual({ code: 'bad_request', message: expect.stringContaining('"nope"') });
      });
      expect((await getJson(url('/v1/agents/typo-agent'), admin)).status).toBe(404);
      // `_default` stays a valid pseudo-skill for hours.
      const defaults = { timeZone: 'UTC', weekly: {}, behaviour: 'queue' };
      expect((await putJson(url('/v1/skills/_default/hours'), defaults, admin)).status).toBe(200);
    },
    budget(8),
  );
});

describe('transfers', () => {
  it(
    'to an unknown skill, to an offline agent and to a full agent: refused saying why, the conversation unchanged',
    async () => {
      const tech = await agentOnline('agent.tech@example.com');
      const client = await customer('Tina');
      const started = await client.request({ action: 'start', skill: 'tech', text: 'help', clientMsgId: 'x-1' }, ['conversation']);
      const conversationId = (started.conversation as { id: string }).id;
      await tech.waitFor(about('assigned', conversationId));

      await changesNothing(async () => {
        const unknown = await tech.request({ action: 'transfer', conversationId, toSkill: 'bilingg' }, ['transferred', 'error']);
        expect(unknown).toMatchObject({ type: 'error', code: 'bad_request', message: expect.stringContaining('"bilingg"') });
        const offline = await tech.request({ action: 'transfer', conversationId, toAgentId: 'agent-billing' }, ['transferred', 'error']);
        expect(offline).toMatchObject({ type: 'error', code: 'conflict', message: 'Agent agent-billing is not online' });
      });

      // The billing agent at capacity (demo capacity 3): three billing customers fill it.
      const billing = await agentOnline('agent.billing@example.com');
      await tech.request({ action: 'status', status: 'away' }, ['status']);
      const fillers = await Promise.all(['F1', 'F2', 'F3'].map((name) => customer(name)));
      for (const [index, filler] of fillers.entries()) {
        const opened = await filler.request({ action: 'start', skill: 'billing', text: 'hi', clientMsgId: `f-${index}` }, ['conversation']);
        await billing.waitFor(about('assigned', (opened.conversation as { id: string }).id));
      }
      const online = await getJson(url('/v1/agents/online'), await login('agent.tech@example.com'));
      expect(online.body.agents).toEqual([
        expect.objectContaining({ id: 'agent-billing', load: 3, capacity: 3, available: false, skills: ['billing'] }),
      ]);
      await changesNothing(async () => {
        const full = await tech.request({ action: 'transfer', conversationId, toAgentId: 'agent-billing' }, ['transferred', 'error']);
        expect(full).toMatchObject({ type: 'error', code: 'conflict', message: 'Agent agent-billing has no spare capacity' });
      });
      await Promise.all([...fillers, client, tech, billing].map((each) => each.close()));
    },
    budget(24),
  );

  it(
    'to a skill: the customer reads transferred before the next agent is assigned',
    async () => {
      const tech = await agentOnline('agent.tech@example.com');
      const client = await customer('Vic');
      const started = await client.request({ action: 'start', skill: 'tech', text: 'help', clientMsgId: 'v-1' }, ['conversation']);
      const conversationId = (started.conversation as { id: string }).id;
      await client.waitFor(about('assigned', conversationId));
      // Back to its own skill's queue: routing may give it straight back to the same agent.
      await tech.request({ action: 'transfer', conversationId, toSkill: 'tech' }, ['transferred']);
      const order = () =>
        client.frames
          .filter((frame) => frame.conversationId === conversationId && ['assigned', 'transferred'].includes(frame.type))
          .map((frame) => frame.type);
      await waitFor(() => order().length >= 3, { timeoutMs: budget(3), message: 'the second assignment' });
      expect(order()).toEqual(['assigned', 'transferred', 'assigned']);
      await Promise.all([client, tech].map((each) => each.close()));
    },
    budget(10),
  );

  it(
    'to a named agent: the customer is told who has them, and the summary agrees',
    async () => {
      const tech = await agentOnline('agent.tech@example.com');
      const supervisorClient = await agentOnline('supervisor@example.com');
      const client = await customer('Una');
      const started = await client.request({ action: 'start', skill: 'tech', text: 'help', clientMsgId: 'u-1' }, ['conversation']);
      const conversationId = (started.conversation as { id: string }).id;
      await client.waitFor(about('assigned', conversationId));
      // The supervisor serves no skill, so routing gave it to the tech agent; it goes to the supervisor by name.
      await tech.request({ action: 'transfer', conversationId, toAgentId: 'supervisor' }, ['transferred']);
      const told = await client.waitFor(about('transferred', conversationId));
      expect(told).toMatchObject({ from: { agent: { id: 'agent-tech' } }, to: { agent: { id: 'supervisor' } } });
      expect(told.note).toBeUndefined();
      // The summary says the same to a customer who syncs again.
      client.send({ action: 'sync' });
      const session = await client.next((frame) => frame.type === 'session');
      expect(session.conversations).toEqual([
        expect.objectContaining({ id: conversationId, status: 'assigned', agent: expect.objectContaining({ id: 'supervisor' }) }),
      ]);
      await Promise.all([client, tech, supervisorClient].map((each) => each.close()));
    },
    budget(14),
  );
});
