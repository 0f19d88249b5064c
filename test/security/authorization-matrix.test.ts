import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { type RawClient, deleteJson, getJson, postJson, putJson, type Frame } from '../../local/tools/raw-client';
import { beforeAllOrFail, budget, STACK_START_MS } from '../support/setup';
import { connectAndSync, guestToken, settled, storedItems } from './support';

/**
 * Every role against every action and endpoint, on its own and on someone else's
 * conversation. The conversation belongs to customer `owner` and is assigned to agent-tech.
 */
type Who = 'owner' | 'otherCustomer' | 'assignedAgent' | 'otherAgent' | 'supervisor' | 'admin';
const EVERYONE: readonly Who[] = ['owner', 'otherCustomer', 'assignedAgent', 'otherAgent', 'supervisor', 'admin'];

let stack: LocalStack;
const clients = {} as Record<Who, RawClient>;
const tokens = {} as Record<Who, string>;
let conversationId: string;
let ownerUserId: string;
/** Background routing after the start has this long to finish. */
const SETTLE_MS = budget(3);
/** The stack, 4 logins, 2 guest tokens, 6 connect+sync (3 steps each), status, start, assignment; then settling. */
const SETUP_MS = STACK_START_MS + budget(4 + 2 + 6 * 3 + 3, SETTLE_MS);

beforeAllOrFail(async () => {
  stack = await startLocalStack({ skills: ['matrix'], httpPort: 0, wsPort: 0, demo: true });
  // Staff tokens are only good while a profile and a session back them: sign the demo staff in.
  const login = async (email: string) =>
    (await postJson(`${stack.httpUrl}/v1/auth/login`, { email, password: 'parley-demo' })).body.token as string;
  tokens.assignedAgent = await login('agent.tech@example.com');
  tokens.owner = await guestToken(stack, 'Owner');
  tokens.otherCustomer = await guestToken(stack, 'Other');
  tokens.otherAgent = await login('agent.billing@example.com');
  tokens.supervisor = await login('supervisor@example.com');
  tokens.admin = await login('admin@example.com');
  for (const who of EVERYONE) {
    const { client, session } = await connectAndSync(stack, tokens[who]);
    clients[who] = client;
    if (who === 'owner') ownerUserId = (session.user as { id: string }).id;
  }
  await clients.assignedAgent.request({ action: 'status', status: 'online' }, ['status']);
  clients.owner.send({ action: 'start', skill: 'tech', text: 'help', clientMsgId: 'o-1' });
  conversationId = ((await clients.owner.nextOfType('conversation')).conversation as { id: string }).id;
  await clients.owner.waitFor((frame) => frame.type === 'assigned');
  await settled(stack, undefined, SETTLE_MS);
}, SETUP_MS);

afterAll(async () => {
  for (const client of Object.values(clients)) await client.close();
  await stack?.stop();
});

// Replies to the acting connection; pushed frames (conversation, read, message) are skipped.
const REPLIES = ['error', 'ack', 'closed', 'rated', 'transferred'];

async function act(who: Who, frame: Record<string, unknown>): Promise<Frame> {
  clients[who].send({ ...frame, conversationId });
  return clients[who].next((reply) => REPLIES.includes(reply.type) && (reply.type !== 'error' || reply.action === frame.action));
}

// Frames whose refusal must leave everything as it was. `allowed` lists who may do it.
const ACTIONS: ReadonlyArray<{ frame: Record<string, unknown>; allowed: readonly Who[] }> = [
  { frame: { action: 'message', clientMsgId: 'mx', text: 'hi' }, allowed: ['owner', 'assignedAgent', 'supervisor'] },
  // Reading only needs sight of the conversation, which admins have.
  { frame: { action: 'read', seq: 1 }, allowed: ['owner', 'assignedAgent', 'supervisor', 'admin'] },
  { frame: { action: 'close', reason: 'done' }, allowed: ['owner', 'assignedAgent', 'supervisor'] },
  { frame: { action: 'transfer', toSkill: 'billing' }, allowed: ['assignedAgent', 'supervisor'] },
  { frame: { action: 'rate', score: 5 }, allowed: ['owner'] },
  // A transcript goes to the customer only; anyone else is refused before any mail is sent.
  { frame: { action: 'transcript', email: 'someone@customer.example' }, allowed: ['owner'] },
  // Issue 10: internal notes are written by the assigned agent, supervisors and admins; never by a customer.
  { frame: { action: 'note', clientMsgId: 'nx', text: 'internal' }, allowed: ['assignedAgent', 'supervisor', 'admin'] },
];

describe("WebSocket actions on someone else's conversation are forbidden, and change nothing", () => {
  for (const { frame, allowed } of ACTIONS) {
    const refused = EVERYONE.filter((who) => !allowed.includes(who));
    it.each(refused)(`${String(frame.action)} by %s → forbidden`, async (who) => {
      const before = await storedItems(stack);
      const sent = frame.action === 'message' || frame.action === 'note' ? { ...frame, clientMsgId: `${who}-${frame.action}` } : frame;
      expect(await act(who, sent)).toMatchObject({ type: 'error', code: 'forbidden' });
      expect(await storedItems(stack)).toEqual(before);
    });
  }

  it.each(['otherCustomer', 'otherAgent', 'admin'] as const)('typing by %s → forbidden', async (who) => {
    clients[who].send({ action: 'typing', conversationId });
    expect(await clients[who].next((reply) => reply.type === 'error')).toMatchObject({ code: 'forbidden', action: 'typing' });
  });

  it('staff-only and customer-only actions by the wrong role', async () => {
    for (const who of ['owner', 'admin'] as const) {
      clients[who].send({ action: 'status', status: 'online' });
      expect(await clients[who].next((reply) => reply.type === 'error' && reply.action === 'status')).toMatchObject({ code: 'forbidden' });
    }
    for (const who of ['assignedAgent', 'supervisor', 'admin'] as const) {
      clients[who].send({ action: 'start', skill: 'tech' });
      expect(await clients[who].next((reply) => reply.type === 'error' && reply.action === 'start')).toMatchObject({ code: 'forbidden' });
    }
  });

  it('sync shows the conversation only to those who may see it', async () => {
    const visible: Record<Who, boolean> = {
      owner: true,
      otherCustomer: false,
      assignedAgent: true,
      otherAgent: false,
      supervisor: true,
      admin: true,
    };
    for (const who of EVERYONE) {
      clients[who].send({ action: 'sync', cursors: { [conversationId]: 0 } });
      const session = await clients[who].nextOfType('session');
      const ids = (session.conversations as Array<{ id: string }>).map((conversation) => conversation.id);
      await clients[who].nextOfType('synced');
      // A cursor for a conversation the caller may not see replays nothing from it.
      if (!visible[who]) expect(ids).not.toContain(conversationId);
    }
  });

  it.each(['owner', 'otherCustomer'] as const)('sync with noteCursors by %s → forbidden, and changes nothing', async (who) => {
    const before = await storedItems(stack);
    clients[who].send({ action: 'sync', noteCursors: { [conversationId]: 0 } });
    expect(await clients[who].next((reply) => reply.type === 'error' && reply.action === 'sync')).toMatchObject({ code: 'forbidden' });
    expect(await storedItems(stack)).toEqual(before);
  });
});

describe('HTTP endpoints', () => {
  const history = (who: Who) => getJson(`${stack.httpUrl}/v1/conversations/${conversationId}/messages`, tokens[who]);
  const list = (who: Who) => getJson(`${stack.httpUrl}/v1/conversations`, tokens[who]);

  it.each([
    ['owner', 200],
    ['otherCustomer', 403],
    ['assignedAgent', 200],
    ['otherAgent', 403],
    ['supervisor', 200],
    ['admin', 200],
  ] as const)('GET messages as %s → %i', async (who, status) => {
    const response = await history(who);
    expect(response.status).toBe(status);
    if (status === 403) expect(response.body).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
    else expect(response.body.messages[0]).toMatchObject({ seq: 1, text: 'help' });
  });

  it.each([
    ['owner', 403, false],
    ['otherCustomer', 403, false],
    ['assignedAgent', 200, true],
    ['otherAgent', 200, false],
    ['supervisor', 200, true],
  ] as const)('GET conversations as %s → %i (sees it: %s)', async (who, status, sees) => {
    const response = await list(who);
    expect(response.status).toBe(status);
    if (status === 200) {
      const ids = (response.body.conversations as Array<{ id: string }>).map((conversation) => conversation.id);
      expect(ids.includes(conversationId)).toBe(sees);
    }
  });

  // Issue 10: internal notes are staff-only, even for the conversation's own customer.
  it.each([
    ['owner', 403],
    ['otherCustomer', 403],
    ['assignedAgent', 200],
    ['otherAgent', 403],
    ['supervisor', 200],
    ['admin', 200],
  ] as const)('GET notes as %s → %i', async (who, status) => {
    const response = await getJson(`${stack.httpUrl}/v1/conversations/${conversationId}/notes`, tokens[who]);
    expect(response.status).toBe(status);
    if (status === 403) expect(response.body).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
    else expect(response.body).toMatchObject({ conversationId, notes: expect.any(Array), more: false });
  });

  // Issue 10: the customer's conversations, for those who may see the customer (a conversation
  // assigned to them or in a skill they serve; supervisors and admins) and the customer.
  const ownerId = () => encodeURIComponent(ownerUserId);
  it.each([
    ['owner', 200],
    ['otherCustomer', 403],
    ['assignedAgent', 200],
    ['otherAgent', 403],
    ['supervisor', 200],
    ['admin', 200],
  ] as const)("GET the customer's conversations as %s → %i; a refusal changes nothing", async (who, status) => {
    const before = await storedItems(stack);
    const response = await getJson(`${stack.httpUrl}/v1/customers/${ownerId()}/conversations`, tokens[who]);
    expect(response.status).toBe(status);
    if (status === 403) expect(response.body).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
    else expect((response.body.conversations as Array<{ id: string }>).map((conversation) => conversation.id)).toContain(conversationId);
    expect(await storedItems(stack)).toEqual(before);
  });

  // Issue 11: search, staff only; an agent finds only what it took part in (docs/search.md).
  it.each([
    ['owner', 403, false],
    ['otherCustomer', 403, false],
    ['assignedAgent', 200, true],
    ['otherAgent', 200, false],
    ['supervisor', 200, true],
    ['admin', 200, true],
  ] as const)('GET /v1/search for the conversation id as %s → %i (found: %s)', async (who, status, found) => {
    const response = await getJson(`${stack.httpUrl}/v1/search?q=${conversationId}`, tokens[who]);
    expect(response.status).toBe(status);
    if (status === 403) expect(response.body).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
    else
      expect((response.body.results as Array<{ conversationId: string }>).map((hit) => hit.conversationId)).toEqual(
        found ? [conversationId] : [],
      );
  });

  it('no token, or a token of an unknown issuer: 401 everywhere', async () => {
    for (const path of [
      '/v1/search?q=refund',
      '/v1/conversations',
      `/v1/conversations/${conversationId}/messages`,
      `/v1/conversations/${conversationId}/notes`,
      `/v1/customers/${ownerId()}/conversations`,
    ]) {
      expect((await getJson(`${stack.httpUrl}${path}`)).status).toBe(401);
      expect((await getJson(`${stack.httpUrl}${path}`, 'e30.e30.')).status).toBe(401);
    }
  });
});

describe('the roster and agent administration (issue 10)', () => {
  const rosterUrl = () => `${stack.httpUrl}/v1/roster`;
  const agentUrl = (id: string) => `${stack.httpUrl}/v1/agents/${id}`;

  it.each(['owner', 'otherCustomer', 'assignedAgent', 'otherAgent'] as const)(
    'GET roster as %s → 403, and nothing stored changes',
    async (who) => {
      const before = await storedItems(stack);
      const response = await getJson(rosterUrl(), tokens[who]);
      expect(response.status).toBe(403);
      expect(response.body).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
      expect(await storedItems(stack)).toEqual(before);
    },
  );

  it.each(['supervisor', 'admin'] as const)('GET roster as %s → 200: the assigned agent, online, holding the conversation', async (who) => {
    const response = await getJson(rosterUrl(), tokens[who]);
    expect(response.status).toBe(200);
    const tech = (response.body.agents as Array<{ id: string }>).find((agent) => agent.id === 'agent-tech');
    expect(tech).toMatchObject({
      status: 'online',
      load: 1,
      capacity: 3,
      conversations: [{ id: conversationId, customer: { name: 'Owner' } }],
    });
    // Admins have no routing status: they are not on the roster.
    expect((response.body.agents as Array<{ id: string }>).map((agent) => agent.id)).not.toContain('admin');
  });

  it('the roster needs a token', async () => {
    expect((await getJson(rosterUrl())).status).toBe(401);
    expect((await getJson(rosterUrl(), 'e30.e30.')).status).toBe(401);
  });

  it.each(['owner', 'otherCustomer', 'assignedAgent', 'otherAgent', 'supervisor'] as const)(
    'agent administration as %s → 403 (list, create, edit skills, disable), and nothing stored changes',
    async (who) => {
      const before = await storedItems(stack);
      const created = { email: `matrix-${who}@example.com`, name: 'M', password: 'a-long-password', skills: ['tech'], capacity: 2 };
      for (const response of [
        await getJson(`${stack.httpUrl}/v1/agents`, tokens[who]),
        await postJson(`${stack.httpUrl}/v1/agents`, created, tokens[who]),
        await putJson(agentUrl('agent-billing'), { skills: ['billing', 'tech'] }, tokens[who]),
        await putJson(agentUrl('agent-billing'), { disabled: true }, tokens[who]),
      ]) {
        expect(response.status).toBe(403);
        expect(response.body).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
      }
      expect(await storedItems(stack)).toEqual(before);
    },
  );
});

describe('business hours and availability', () => {
  const hoursUrl = (skill: string) => `${stack.httpUrl}/v1/skills/${skill}/hours`;
  const hours = { timeZone: 'Asia/Shanghai', weekly: { mon: [{ from: '09:00', to: '18:00' }] }, behaviour: 'form' };

  it.each([
    ['owner', 403],
    ['otherCustomer', 403],
    ['assignedAgent', 403],
    ['otherAgent', 403],
    ['supervisor', 200],
    ['admin', 200],
  ] as const)('GET hours as %s → %i', async (who, status) => {
    expect((await getJson(hoursUrl('matrix'), tokens[who])).status).toBe(status);
  });

  it.each(['owner', 'otherCustomer', 'assignedAgent', 'otherAgent', 'supervisor'] as const)(
    'PUT hours as %s → 403, and nothing stored changes',
    async (who) => {
      const before = await storedItems(stack);
      const response = await putJson(hoursUrl('matrix'), hours, tokens[who]);
      expect(response.status).toBe(403);
      expect(response.body).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
      expect(await storedItems(stack)).toEqual(before);
    },
  );

  it('PUT hours as admin → 200; the hours routes need a token, availability does not', async () => {
    expect((await putJson(hoursUrl('matrix'), hours, tokens.admin)).status).toBe(200);
    expect((await getJson(hoursUrl('matrix'), tokens.supervisor)).body.hours).toMatchObject({ timeZone: 'Asia/Shanghai' });
    expect((await getJson(hoursUrl('matrix'))).status).toBe(401);
    expect((await putJson(hoursUrl('matrix'), hours)).status).toBe(401);
    const availability = await getJson(`${stack.httpUrl}/v1/availability?skill=matrix`);
    expect(availability.status).toBe(200);
    expect(availability.body).toMatchObject({ skill: 'matrix', behaviour: 'form', timeZone: 'Asia/Shanghai' });
  });
});

describe('canned responses', () => {
  const cannedUrl = (id?: string) => `${stack.httpUrl}/v1/canned-responses${id ? `/${id}` : ''}`;
  const response = { shortcut: 'matrix', title: 'Matrix', text: 'Hello {customer.name}', skill: 'tech' };

  it.each([
    ['owner', 403],
    ['otherCustomer', 403],
    ['assignedAgent', 200],
    ['otherAgent', 200],
    ['supervisor', 200],
    ['admin', 200],
  ] as const)('GET canned responses as %s → %i', async (who, status) => {
    expect((await getJson(cannedUrl(), tokens[who])).status).toBe(status);
  });

  it('an agent may not ask for the canned responses of a skill it does not serve', async () => {
    expect((await getJson(`${cannedUrl()}?skill=tech`, tokens.otherAgent)).status).toBe(403);
    expect((await getJson(`${cannedUrl()}?skill=tech`, tokens.assignedAgent)).status).toBe(200);
  });

  it.each(['owner', 'otherCustomer', 'assignedAgent', 'otherAgent', 'supervisor'] as const)(
    'PUT and DELETE canned responses as %s → 403, and nothing stored changes',
    async (who) => {
      const before = await storedItems(stack);
      const put = await putJson(cannedUrl('matrix'), response, tokens[who]);
      expect(put.status).toBe(403);
      expect(put.body).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
      // A demo response (local/seed.ts): refused before it is even looked up.
      const deleted = await deleteJson(cannedUrl('hello'), tokens[who]);
      expect(deleted.status).toBe(403);
      expect(deleted.body).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
      expect(await storedItems(stack)).toEqual(before);
    },
  );

  it('PUT and DELETE as admin → 201 then 200; every canned-response route needs a token', async () => {
    expect((await putJson(cannedUrl('matrix'), response, tokens.admin)).status).toBe(201);
    const seen = await getJson(cannedUrl(), tokens.assignedAgent);
    expect(seen.body.cannedResponses).toContainEqual(expect.objectContaining({ id: 'matrix', skill: 'tech' }));
    const hidden = await getJson(cannedUrl(), tokens.otherAgent);
    expect(hidden.body.cannedResponses).not.toContainEqual(expect.objectContaining({ id: 'matrix' }));
    expect((await deleteJson(cannedUrl('matrix'), tokens.admin)).status).toBe(200);
    expect((await getJson(cannedUrl())).status).toBe(401);
    expect((await putJson(cannedUrl('matrix'), response)).status).toBe(401);
    expect((await deleteJson(cannedUrl('matrix'))).status).toBe(401);
  });
});

describe('configured skills and who is online (issue 10)', () => {
  const skillUrl = (skill: string) => `${stack.httpUrl}/v1/skills/${skill}`;
  const STAFF = ['assignedAgent', 'otherAgent', 'supervisor', 'admin'] as const;

  it.each([
    ['owner', 403],
    ['otherCustomer', 403],
    ['assignedAgent', 200],
    ['otherAgent', 200],
    ['supervisor', 200],
    ['admin', 200],
  ] as const)('GET /v1/skills and GET /v1/agents/online as %s → %i', async (who, status) => {
    const skills = await getJson(`${stack.httpUrl}/v1/skills`, tokens[who]);
    expect(skills.status).toBe(status);
    const online = await getJson(`${stack.httpUrl}/v1/agents/online`, tokens[who]);
    expect(online.status).toBe(status);
    if (status === 403) expect(online.body).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
    else expect(online.body.agents.map((agent: { id: string }) => agent.id)).toContain('agent-tech');
  });

  it.each(['owner', 'otherCustomer', ...STAFF.filter((who) => who !== 'admin')] as const)(
    'PUT and DELETE a skill as %s → 403, and nothing stored changes',
    async (who) => {
      const before = await storedItems(stack);
      for (const response of [
        await putJson(skillUrl('matrix'), { names: { en: 'Renamed' } }, tokens[who]),
        await putJson(skillUrl('brand-new'), { names: { en: 'New' } }, tokens[who]),
        await deleteJson(skillUrl('matrix'), tokens[who]),
      ]) {
        expect(response.status).toBe(403);
        expect(response.body).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
      }
      expect(await storedItems(stack)).toEqual(before);
    },
  );

  it('the skills routes need a token; an admin adds and deletes a skill', async () => {
    expect((await getJson(`${stack.httpUrl}/v1/skills`)).status).toBe(401);
    expect((await getJson(`${stack.httpUrl}/v1/agents/online`)).status).toBe(401);
    expect((await putJson(skillUrl('matrix-extra'), { names: { en: 'Extra' } })).status).toBe(401);
    expect((await deleteJson(skillUrl('matrix-extra'))).status).toBe(401);
    expect((await putJson(skillUrl('matrix-extra'), { names: { en: 'Extra' } }, tokens.admin)).status).toBe(200);
    expect((await deleteJson(skillUrl('matrix-extra'), tokens.admin)).status).toBe(200);
  });
});

describe('the allowed side of the matrix', () => {
  it('the assigned agent, supervisors and admins write notes; the customer never receives one', async () => {
    const writers = ['assignedAgent', 'supervisor', 'admin'] as const;
    for (const who of writers) {
      expect(await act(who, { action: 'note', clientMsgId: `note-${who}`, text: `note from ${who}` })).toMatchObject({
        type: 'ack',
        internal: true,
      });
    }
    // The assigned agent gets the others' notes live; staff read all three.
    await clients.assignedAgent.waitFor((frame) => frame.type === 'note' && frame.text === 'note from admin');
    const notes = await getJson(`${stack.httpUrl}/v1/conversations/${conversationId}/notes`, tokens.supervisor);
    expect((notes.body.notes as Frame[]).map((note) => [note.seq, note.text])).toEqual([
      [1, 'note from assignedAgent'],
      [2, 'note from supervisor'],
      [3, 'note from admin'],
    ]);
    // The customer: nothing live, nothing on sync, nothing in history, and no gap in the message seqs.
    clients.owner.send({ action: 'sync', cursors: { [conversationId]: 0 } });
    await clients.owner.nextOfType('synced');
    const history = await getJson(`${stack.httpUrl}/v1/conversations/${conversationId}/messages`, tokens.owner);
    const seqs = (history.body.messages as Frame[]).map((message) => message.seq);
    expect(seqs).toEqual(seqs.map((_seq, index) => index + 1));
    const everything = JSON.stringify([clients.owner.all('note'), clients.owner.all('message'), clients.owner.all('ack'), history.body]);
    expect(everything).not.toContain('note from');
    expect(clients.owner.all('note')).toEqual([]);
  });

  it('participants and supervisors write; the owner closes and then rates', async () => {
    for (const who of ['owner', 'assignedAgent', 'supervisor'] as const) {
      expect(await act(who, { action: 'message', clientMsgId: `ok-${who}`, text: `from ${who}` })).toMatchObject({ type: 'ack' });
    }
    expect(await act('owner', { action: 'close' })).toMatchObject({ type: 'closed' });
    expect(await act('owner', { action: 'rate', score: 4 })).toMatchObject({ type: 'rated', score: 4 });
  });
});
