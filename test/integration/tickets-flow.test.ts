import { afterAll, describe, expect, it } from 'vitest';
import type { Ticket } from '../../functions/ports/ticket-store';
import { receiveTicketReply } from '../../functions/services/ticket-replies';
import { draftReply } from '../../local/ses/mail-pages';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { getJson, postJson, putJson, type RawClient } from '../../local/tools/raw-client';
import { connectAndSync, guestToken, settled, storedItems } from '../security/support';
import { beforeAllOrFail, budget, STACK_START_MS } from '../support/setup';
import { waitFor } from '../support/wait';

/**
 * Tickets on the local stack: the offline form, the staff's lists, a reply emailed through the
 * local SES, the customer's emailed answer threaded by its token (directly and through local
 * SES receiving), a bounced address refusing further replies,
 * the queue-wait offer and the `ticket` action keeping the chat's history, and who may do what.
 */
let stack: LocalStack;
type Who = 'owner' | 'other' | 'techAgent' | 'billingAgent' | 'supervisor' | 'admin';
const tokens = {} as Record<Who, string>;
const clients: RawClient[] = [];
/** Settling after each write: routing and pushes finish. */
const SETTLE_MS = budget(3);

beforeAllOrFail(async () => {
  // The offer is due one second into the wait; the sweep runs when the test asks (not by timer).
  stack = await startLocalStack({
    httpPort: 0,
    wsPort: 0,
    demo: true,
    env: { QUEUE_TICKET_OFFER_SECONDS: '1' },
    scheduleIntervalMs: 3_600_000,
  });
  const login = async (email: string) =>
    (await postJson(`${stack.httpUrl}/v1/auth/login`, { email, password: 'parley-demo' })).body.token as string;
  tokens.owner = await guestToken(stack, 'Owner');
  tokens.other = await guestToken(stack, 'Other');
  // agent-tech serves billing and tech; agent-billing serves billing only.
  tokens.techAgent = await login('agent.tech@example.com');
  tokens.billingAgent = await login('agent.billing@example.com');
  tokens.supervisor = await login('supervisor@example.com');
  tokens.admin = await login('admin@example.com');
}, STACK_START_MS + budget(6));

afterAll(async () => {
  for (const client of clients) await client.close();
  await stack?.stop();
});

const url = (path: string) => `${stack.httpUrl}${path}`;

async function storedTicket(id: string): Promise<Ticket> {
  const conversation = await stack.wiring().ports.conversations.get(id);
  if (conversation?.status !== 'ticket') throw new Error(`${id} is not a ticket`);
  return conversation as Ticket;
}

const form = {
  skill: 'tech',
  name: 'Owner',
  email: 'owner@example.com',
  message: 'My router blinks red\nSince Monday',
  clientMsgId: 'form-1',
};
let ticketId: string;

describe('the offline form and the staff', () => {
  it(
    'POST /v1/tickets creates an open ticket once per clientMsgId; it is listed for its skill, newest first',
    async () => {
      const created = await postJson(url('/v1/tickets'), form, tokens.owner);
      expect(created.status).toBe(201);
      expect(created.body.ticket).toMatchObject({
        skill: 'tech',
        state: 'open',
        subject: 'My router blinks red',
        customer: { name: 'Owner', email: 'owner@example.com' },
        lastSeq: 1,
      });
      ticketId = created.body.ticket.id;
      const again = await postJson(url('/v1/tickets'), form, tokens.owner);
      expect(again.body.ticket.id).toBe(ticketId);

      const second = await postJson(url('/v1/tickets'), { ...form, message: 'Another', clientMsgId: 'form-2' }, tokens.owner);
      const listed = await getJson(url('/v1/tickets?skill=tech&state=open'), tokens.techAgent);
      expect(listed.status).toBe(200);
      expect(listed.body.tickets.map((ticket: { id: string }) => ticket.id)).toEqual([second.body.ticket.id, ticketId]);
      expect(listed.body.skills).toEqual(['billing', 'tech']);

      // Paging: one per page, the cursor leads to the next.
      const first = await getJson(url('/v1/tickets?skill=tech&state=open&limit=1'), tokens.supervisor);
      const next = await getJson(url(`/v1/tickets?skill=tech&state=open&limit=1&cursor=${first.body.next}`), tokens.supervisor);
      expect(next.body.tickets[0].id).toBe(ticketId);

      const read = await getJson(url(`/v1/tickets/${ticketId}`), tokens.owner);
      expect(read.body.messages).toMatchObject([
        { seq: 1, text: form.message, sender: { id: expect.stringMatching(/^guest:/), role: 'customer' } },
      ]);
    },
    budget(8),
  );

  it(
    'a reply is stored and emailed through the local SES with the reply token; the same reply again sends nothing twice',
    async () => {
      const sendsBefore = stack.mail.sendRequestCount();
      const reply = await postJson(
        url(`/v1/tickets/${ticketId}/replies`),
        { text: 'Please restart it', clientMsgId: 'r-1' },
        tokens.techAgent,
      );
      expect(reply.status).toBe(201);
      expect(reply.body).toMatchObject({ message: { seq: 2, text: 'Please restart it' }, ticket: { state: 'pending' } });
      expect(reply.body.ticket.unsentReplySeq).toBeUndefined();

      const [mail] = stack.mail.sent().filter((sent) => sent.purpose === 'ticket-reply');
      expect(mail).toMatchObject({
        to: ['owner@example.com'],
        subject: expect.stringContaining('My router blinks red'),
        replyTo: expect.stringMatching(/^reply\+[0-9a-f]{64}@/),
      });
      // The marker on top, the reply, then the customer's form message quoted below it.
      const lines = mail!.text.split('\n');
      expect(lines[0]).toContain('Please type your reply above this line');
      expect(mail!.text.indexOf('Please restart it')).toBeLessThan(mail!.text.indexOf('My router blinks red'));
      expect(stack.mail.sendRequestCount()).toBe(sendsBefore + 1);

      const retry = await postJson(
        url(`/v1/tickets/${ticketId}/replies`),
        { text: 'Please restart it', clientMsgId: 'r-1' },
        tokens.techAgent,
      );
      expect(retry.status).toBe(201);
      expect(retry.body.message.seq).toBe(2);
      expect(stack.mail.sendRequestCount()).toBe(sendsBefore + 1);
      const read = await getJson(url(`/v1/tickets/${ticketId}`), tokens.techAgent);
      expect(read.body.messages.map((message: { text: string }) => message.text)).toEqual([form.message, 'Please restart it']);
      expect(read.body.ticket).toMatchObject({ state: 'pending', lastSeq: 2, customer: { emailStatus: 'ok' } });
    },
    budget(5),
  );

  it(
    "the customer's emailed answer threads back by its token, once per Message-ID, and reopens the ticket",
    async () => {
      const assigned = await putJson(url(`/v1/tickets/${ticketId}`), { state: 'pending', assigneeId: 'agent-tech' }, tokens.techAgent);
      expect(assigned.status).toBe(200);
      expect(assigned.body.ticket).toMatchObject({ state: 'pending', assignee: { id: 'agent-tech' } });
      const agent = (await connectAndSync(stack, tokens.techAgent)).client;
      clients.push(agent);

      const { replyToken } = (await storedTicket(ticketId)).ticket;
      expect(replyToken).toMatch(/^[0-9a-f]{64}$/);
      const inbound = {
        replyToken: replyToken.toUpperCase(),
        fromEmail: 'owner@example.com',
        text: 'Restarted, still red',
        messageId: '<abc@mail.example.com>',
        receivedAt: new Date().toISOString(),
      };
      expect(await receiveTicketReply(stack.wiring().ports, inbound)).toBe('stored');
      expect(await receiveTicketReply(stack.wiring().ports, inbound)).toBe('duplicate');
      expect(await receiveTicketReply(stack.wiring().ports, { ...inbound, replyToken: 'f'.repeat(64) })).toBe('unknown-token');

      // The assignee hears of it live.
      expect(await agent.waitFor((frame) => frame.type === 'message' && frame.conversationId === ticketId)).toMatchObject({
        seq: 3,
        text: 'Restarted, still red',
        sender: { role: 'customer' },
      });
      const read = await getJson(url(`/v1/tickets/${ticketId}`), tokens.supervisor);
      expect(read.body.ticket.state).toBe('open');
      expect(read.body.messages).toHaveLength(3);
      expect((await storedTicket(ticketId)).ticket.lastInboundMessageId).toBe('<abc@mail.example.com>');

      // As a mail client would: answer the emailed reply; SES receiving stores it in S3 and the
      // inbound function threads it by the token in its address, without the quoted thread.
      const emailed = stack.mail.sent().find((sent) => sent.purpose === 'ticket-reply')!;
      const delivered = await stack.mail.deliverInbound(draftReply(emailed, 'Replaced the cable, all green now'));
      expect(delivered.outcome).toBe('stored');
      expect(await agent.waitFor((frame) => frame.type === 'message' && frame.seq === 4)).toMatchObject({
        conversationId: ticketId,
        text: 'Replaced the cable, all green now',
        sender: { role: 'customer' },
      });
      const solved = await putJson(url(`/v1/tickets/${ticketId}`), { state: 'solved' }, tokens.supervisor);
      expect(solved.body.ticket.state).toBe('solved');
      const solvedList = await getJson(url('/v1/tickets?skill=tech&state=solved'), tokens.admin);
      expect(solvedList.body.tickets.map((ticket: { id: string }) => ticket.id)).toContain(ticketId);
    },
    budget(8),
  );
});

describe('a customer address that bounced', () => {
  it(
    'is shown on the ticket, and a reply to it is stored and marked but answered 409 without a send',
    async () => {
      const bounce = 'bounce@simulator.amazonses.com';
      const created = await postJson(url('/v1/tickets'), { ...form, email: bounce, clientMsgId: 'form-bounce' }, tokens.other);
      expect(created.status).toBe(201);
      const id = created.body.ticket.id as string;
      const first = await postJson(url(`/v1/tickets/${id}/replies`), { text: 'Did it help?', clientMsgId: 'b-1' }, tokens.techAgent);
      expect(first.status).toBe(201);
      // The local mailbox simulator answers with a permanent bounce, as SES would; the events
      // function marks the address.
      await waitFor(
        async () => (await getJson(url(`/v1/tickets/${id}`), tokens.techAgent)).body.ticket.customer.emailStatus === 'bounced',
        {
          timeoutMs: budget(3),
          message: 'the bounce marked the address',
        },
      );
      const sends = stack.mail.sendRequestCount();
      const second = await postJson(url(`/v1/tickets/${id}/replies`), { text: 'Anyone there?', clientMsgId: 'b-2' }, tokens.techAgent);
      expect(second.status).toBe(409);
      expect(second.body.error).toEqual({
        code: 'conflict',
        message: expect.stringMatching(/saved as message 3 but not emailed: Mail to/),
      });
      expect(stack.mail.sendRequestCount()).toBe(sends);
      const read = await getJson(url(`/v1/tickets/${id}`), tokens.techAgent);
      expect(read.body.messages.map((message: { text: string }) => message.text)).toEqual([form.message, 'Did it help?', 'Anyone there?']);
      expect(read.body.ticket).toMatchObject({ unsentReplySeq: 3, customer: { email: bounce, emailStatus: 'bounced' } });
    },
    budget(8),
  );
});

describe('who may do what with tickets (a refusal changes nothing)', () => {
  it.each([
    ['owner', 200],
    ['other', 403],
    ['techAgent', 200],
    ['billingAgent', 403],
    ['supervisor', 200],
    ['admin', 200],
  ] as const)('GET /v1/tickets/{id} as %s → %i', async (who, status) => {
    const response = await getJson(url(`/v1/tickets/${ticketId}`), tokens[who]);
    expect(response.status).toBe(status);
    if (status === 403) expect(response.body.error.code).toBe('forbidden');
  });

  it.each([
    ['owner', 'GET', '/v1/tickets?skill=tech', undefined, 403],
    ['billingAgent', 'GET', '/v1/tickets?skill=tech', undefined, 403],
    ['owner', 'PUT', '/v1/tickets/{id}', { state: 'open' }, 403],
    ['billingAgent', 'PUT', '/v1/tickets/{id}', { state: 'open' }, 403],
    ['other', 'POST', '/v1/tickets/{id}/replies', { text: 'hi', clientMsgId: 'x' }, 403],
    ['billingAgent', 'POST', '/v1/tickets/{id}/replies', { text: 'hi', clientMsgId: 'x' }, 403],
    ['techAgent', 'POST', '/v1/tickets', form, 403],
    ['techAgent', 'PUT', '/v1/tickets/{id}', { state: 'closed' }, 400],
    ['techAgent', 'PUT', '/v1/tickets/{id}', {}, 400],
    ['techAgent', 'PUT', '/v1/tickets/{id}', { assigneeId: 'agent-billing' }, 400],
    ['techAgent', 'PUT', '/v1/tickets/{id}', { assigneeId: 'nobody-here' }, 400],
    ['techAgent', 'PUT', '/v1/tickets/{id}', { state: 'open', extra: 1 }, 400],
    ['techAgent', 'POST', '/v1/tickets/{id}/replies', { text: '   ', clientMsgId: 'y' }, 400],
    ['techAgent', 'POST', '/v1/tickets/{id}/replies', { text: 'hi', clientMsgId: 'has space' }, 400],
    ['techAgent', 'POST', '/v1/tickets/01JNOSUCHTICKET0000000000/replies', { text: 'hi', clientMsgId: 'z' }, 404],
    ['techAgent', 'GET', '/v1/tickets/01JNOSUCHTICKET0000000000', undefined, 404],
    ['techAgent', 'GET', '/v1/tickets?skill=tech&cursor=bm90LWEtY3Vyc29y', undefined, 400],
    ['techAgent', 'GET', '/v1/tickets?state=closed', undefined, 400],
    ['owner', 'POST', '/v1/tickets', { ...form, email: 'not-an-email', clientMsgId: 'f-9' }, 400],
    ['owner', 'POST', '/v1/tickets', { ...form, message: '', clientMsgId: 'f-10' }, 400],
    ['owner', 'POST', '/v1/tickets', { ...form, skill: 'Bad Skill', clientMsgId: 'f-11' }, 400],
    // Well formed but configured by no admin: nobody would ever see the ticket.
    ['owner', 'POST', '/v1/tickets', { ...form, skill: 'free-bitcoin-here', clientMsgId: 'f-12' }, 400],
  ] as const)('%s %s %s %j → %i', async (who, method, path, body, status) => {
    await settled(stack, undefined, SETTLE_MS);
    const before = await storedItems(stack);
    const target = url(path.replace('{id}', ticketId));
    const response =
      method === 'GET'
        ? await getJson(target, tokens[who])
        : method === 'PUT'
          ? await putJson(target, body, tokens[who])
          : await postJson(target, body, tokens[who]);
    expect(response.status).toBe(status);
    expect(response.body.error).toEqual({ code: expect.any(String), message: expect.any(String) });
    expect(await storedItems(stack)).toEqual(before);
  });
});

describe('the queue-wait offer and the ticket action', () => {
  it(
    'a customer waiting past the limit is offered a ticket once; the ticket keeps the whole chat',
    async () => {
      const wanda = await guestToken(stack, 'Waiting Wanda');
      const customer = (await connectAndSync(stack, wanda)).client;
      clients.push(customer);
      const started = await customer.request({ action: 'start', skill: 'billing', text: 'Invoice 7 is wrong', clientMsgId: 'w-1' }, [
        'conversation',
      ]);
      const conversationId = (started.conversation as { id: string }).id;
      await customer.request({ action: 'message', conversationId, text: 'Charged twice', clientMsgId: 'w-2' }, ['ack']);
      // No agent is online: it waits. The sweep offers once the wait passes one second.
      const offer = await waitFor(
        async () => {
          await stack.runScheduled('reconcile');
          return customer.all('offer').find((frame) => frame.conversationId === conversationId);
        },
        { timeoutMs: budget(3), message: 'a ticket offer' },
      );
      expect(offer).toEqual({ type: 'offer', conversationId, offer: 'ticket', reason: 'wait' });
      await stack.runScheduled('reconcile');
      await settled(stack, undefined, SETTLE_MS);
      expect(customer.all('offer').filter((frame) => frame.conversationId === conversationId)).toHaveLength(1);
      // A widget that reconnects reads the offer from the summary.
      const again = await connectAndSync(stack, wanda);
      clients.push(again.client);
      const summaries = again.session.conversations as Array<{ id: string; offer?: string }>;
      expect(summaries.find((summary) => summary.id === conversationId)?.offer).toBe('ticket');

      const converted = await customer.request({ action: 'ticket', conversationId, email: 'wanda@example.com', name: 'Wanda' }, [
        'conversation',
        'error',
      ]);
      expect(converted).toMatchObject({
        type: 'conversation',
        conversation: { id: conversationId, status: 'ticket', ticket: { state: 'open', email: 'wanda@example.com' } },
      });
      // Idempotent.
      const repeated = await customer.request({ action: 'ticket', conversationId, email: 'wanda@example.com' }, ['conversation', 'error']);
      expect(repeated).toMatchObject({ type: 'conversation', conversation: { status: 'ticket' } });

      const read = await getJson(url(`/v1/tickets/${conversationId}`), tokens.billingAgent);
      expect(read.status).toBe(200);
      expect(read.body.ticket).toMatchObject({ subject: 'Invoice 7 is wrong', customer: { name: 'Wanda', email: 'wanda@example.com' } });
      const texts = read.body.messages.map((message: { text: string }) => message.text);
      expect(texts).toEqual(expect.arrayContaining(['Invoice 7 is wrong', 'Charged twice']));
      const listed = await getJson(url('/v1/tickets?skill=billing'), tokens.billingAgent);
      expect(listed.body.tickets.map((ticket: { id: string }) => ticket.id)).toContain(conversationId);
      // It left the queue; a new start opens a new chat.
      const fresh = await customer.request({ action: 'start', skill: 'billing' }, ['conversation']);
      expect((fresh.conversation as { id: string }).id).not.toBe(conversationId);
    },
    budget(16),
  );

  it(
    'the ticket action refuses another customer, staff, a bad email and an assigned or closed chat',
    async () => {
      const owner = (await connectAndSync(stack, await guestToken(stack, 'Closer'))).client;
      const stranger = (await connectAndSync(stack, tokens.other)).client;
      clients.push(owner, stranger);
      const started = await owner.request({ action: 'start', skill: 'billing', text: 'hello', clientMsgId: 'c-1' }, ['conversation']);
      const conversationId = (started.conversation as { id: string }).id;
      await settled(stack, undefined, SETTLE_MS);
      const before = await storedItems(stack);
      const refused = async (client: RawClient, frame: Record<string, unknown>) =>
        client.request({ action: 'ticket', conversationId, ...frame }, ['error']);
      expect(await refused(stranger, { email: 'x@example.com' })).toMatchObject({ code: 'forbidden', action: 'ticket' });
      expect(await refused(owner, { email: 'nope' })).toMatchObject({ code: 'bad_request' });
      expect(await refused(owner, { email: 'x@example.com', extra: true })).toMatchObject({ code: 'bad_request' });
      expect(await storedItems(stack)).toEqual(before);
      await owner.request({ action: 'close', conversationId }, ['closed']);
      await settled(stack, undefined, SETTLE_MS);
      const closed = await storedItems(stack);
      expect(await refused(owner, { email: 'x@example.com' })).toMatchObject({ code: 'conflict' });
      expect(await storedItems(stack)).toEqual(closed);
    },
    budget(10),
  );

  it(
    'a customer waiting while the team is closed is offered a ticket for that reason',
    async () => {
      // tech with no opening hours at all: closed now (business hours, part A).
      const hours = await putJson(url('/v1/skills/tech/hours'), { timeZone: 'UTC', weekly: {}, behaviour: 'queue' }, tokens.admin);
      expect(hours.status).toBe(200);
      const customer = (await connectAndSync(stack, await guestToken(stack, 'Late Lee'))).client;
      clients.push(customer);
      const started = await customer.request({ action: 'start', skill: 'tech', text: 'Anyone there?', clientMsgId: 'l-1' }, [
        'conversation',
      ]);
      const conversationId = (started.conversation as { id: string }).id;
      const closedOffer = await waitFor(
        async () => {
          await stack.runScheduled('reconcile');
          return customer.all('offer').find((frame) => frame.conversationId === conversationId && frame.reason === 'closed');
        },
        { timeoutMs: budget(3), message: 'a ticket offer for a closed team' },
      );
      expect(closedOffer).toEqual({ type: 'offer', conversationId, offer: 'ticket', reason: 'closed' });
      const stored = await stack.wiring().ports.conversations.get(conversationId);
      expect(stored?.offers?.closed).toEqual(expect.any(String));
    },
    budget(8),
  );
});

describe('off hours, end to end', () => {
  it(
    'closed team: availability says form, a chat start hears when it is back, the form makes a ticket, the reply is mailed, the mailed answer threads back',
    async () => {
      // billing opens for one hour on the weekday three days ahead (Shanghai time): closed now,
      // whatever the time of day, with a next opening within the week.
      const inThreeDays = new Date(Date.now() + 3 * 86_400_000);
      const day = new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Shanghai', weekday: 'short' }).format(inThreeDays).toLowerCase();
      const hours = { timeZone: 'Asia/Shanghai', weekly: { [day]: [{ from: '10:00', to: '11:00' }] }, closed: [], behaviour: 'form' };
      expect((await putJson(url('/v1/skills/billing/hours'), hours, tokens.admin)).status).toBe(200);
      const availability = await waitFor(
        async () => {
          const { body } = await getJson(url('/v1/availability?skill=billing'));
          return body.behaviour === 'form' ? body : undefined;
        },
        { timeoutMs: budget(3), message: 'availability with the new hours' },
      );
      expect(availability).toMatchObject({ skill: 'billing', open: false, behaviour: 'form', timeZone: 'Asia/Shanghai' });
      expect(new Date(availability.nextOpening).getTime()).toBeGreaterThan(Date.now());

      // A widget that chats anyway (an old page, the CLI) is told, in its own zone, when the team is back.
      const visitorToken = await guestToken(stack, 'Night Owl');
      const chat = (await connectAndSync(stack, visitorToken)).client;
      clients.push(chat);
      const started = await chat.request(
        { action: 'start', skill: 'billing', text: 'Hello?', clientMsgId: 'n-1', visitor: { locale: 'en', timeZone: 'Europe/Berlin' } },
        ['conversation'],
      );
      const chatId = (started.conversation as { id: string }).id;
      const notice = await chat.waitFor((frame) => frame.type === 'message' && frame.clientMsgId === `off-hours:${chatId}`);
      expect(notice.text).toMatch(/^We're away right now\. We're back .*\d\d:\d\d\.$/);

      // The offline form.
      const created = await postJson(
        url('/v1/tickets'),
        { skill: 'billing', name: 'Night Owl', email: 'owl@example.com', message: 'My card was charged twice', clientMsgId: 'owl-1' },
        visitorToken,
      );
      expect(created.status).toBe(201);
      const id = created.body.ticket.id as string;
      const listed = await getJson(url('/v1/tickets?skill=billing&state=open'), tokens.billingAgent);
      expect(listed.body.tickets.map((ticket: { id: string }) => ticket.id)).toContain(id);

      // The agent's reply goes out by mail (the local SES endpoint keeps it, as /_local/mail shows).
      const reply = await postJson(
        url(`/v1/tickets/${id}/replies`),
        { text: 'Refunded, sorry!', clientMsgId: 'owl-r1' },
        tokens.billingAgent,
      );
      expect(reply.status).toBe(201);
      const mails = (await getJson(stack.mail.messagesUrl)).body.messages as Array<{ to: string[]; purpose: string; text: string }>;
      const mailed = mails.find((mail) => mail.purpose === 'ticket-reply' && mail.to.includes('owl@example.com'));
      expect(mailed?.text).toContain('Refunded, sorry!');

      // The customer answers from their mail client: SES receiving -> S3 -> the inbound function.
      const record = stack.mail.sent().find((mail) => mail.purpose === 'ticket-reply' && mail.to.includes('owl@example.com'))!;
      const inbound = await fetch(stack.mail.inboundUrl, { method: 'POST', body: draftReply(record, 'Got it, thank you') });
      expect(inbound.status).toBe(202);
      expect(await inbound.json()).toMatchObject({ outcome: 'stored' });
      const read = await getJson(url(`/v1/tickets/${id}`), tokens.billingAgent);
      expect(read.body.messages.map((message: { text: string; sender: { role: string } }) => [message.sender.role, message.text])).toEqual([
        ['customer', 'My card was charged twice'],
        ['agent', 'Refunded, sorry!'],
        ['customer', 'Got it, thank you'],
      ]);
      expect(read.body.ticket.state).toBe('open');
    },
    budget(14),
  );
});
