import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { storedKey } from '../../functions/domain/attachment';
import type { ExportManifest } from '../../functions/domain/customer-data';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { RawClient, getJson, postJson, type Frame } from '../../local/tools/raw-client';
import { beforeAllOrFail, budget, STACK_START_MS } from '../support/setup';
import { waitFor } from '../support/wait';

/**
 * Customers' data rights (issue 11, docs/data-rights.md) on the local stack: an admin's export
 * of a customer with two chats (one with an image, rated with a comment, with visitor context)
 * and a ticket holds everything, in one zip with a manifest, fetched from the bucket on a
 * presigned GET, and is audited; the erase that follows leaves search (words, email, name) and
 * export finding nothing, the files gone, the report totals as they were and another
 * customer's data untouched; agents and supervisors are refused both; a retried erase is fine.
 */
let stack: LocalStack;
const clients: RawClient[] = [];

beforeAllOrFail(async () => {
  stack = await startLocalStack({ httpPort: 0, wsPort: 0, demo: true, web: false });
}, STACK_START_MS);

afterAll(async () => {
  for (const client of clients) await client.close();
  sqs?.destroy();
  await stack?.stop();
});

let sqs: SQSClient;
/** Every event published so far was handled (search postings, report counters): the events queue holds nothing. */
async function eventsSettled(): Promise<void> {
  sqs ??= new SQSClient({
    endpoint: stack.endpoints.sqs,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await waitFor(
    async () => {
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: stack.eventsQueueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
        }),
      );
      return Object.values(Attributes ?? {}).every((value) => value === '0');
    },
    { message: 'the events queue drained', timeoutMs: budget(10) },
  );
}
const eraseUrl = (customerId: string, query = '') => `${stack.httpUrl}/v1/customers/${encodeURIComponent(customerId)}${query}`;
async function erase(customerId: string, token: string, query = ''): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(eraseUrl(customerId, query), { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
async function found(token: string, query: Record<string, string>): Promise<string[]> {
  const answer = await getJson(`${stack.httpUrl}/v1/search?${new URLSearchParams(query).toString()}`, token);
  expect(answer.status).toBe(200);
  return [...new Set((answer.body.results as Array<{ conversationId: string }>).map((hit) => hit.conversationId))];
}

// A 1x1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

async function signIn(path: string, body: Record<string, unknown>): Promise<{ client: RawClient; token: string; id: string }> {
  const { body: issued } = await postJson(`${stack.httpUrl}${path}`, body);
  const client = await RawClient.connect(stack.wsUrl, issued.token as string);
  clients.push(client);
  const synced = await client.request({ action: 'sync' }, ['synced']);
  return { client, token: issued.token as string, id: (synced.user as { id: string } | undefined)?.id ?? '' };
}
const staff = (email: string) => signIn('/v1/auth/login', { email, password: 'parley-demo' });
const about = (type: string, conversationId: string) => (frame: Frame) => frame.type === type && frame.conversationId === conversationId;
const exportUrl = (customerId: string) => `${stack.httpUrl}/v1/customers/${encodeURIComponent(customerId)}/export`;

async function uploadImage(token: string, conversationId: string): Promise<string> {
  const granted = await postJson(
    `${stack.httpUrl}/v1/attachments`,
    { conversationId, name: 'receipt.png', contentType: 'image/png', size: PNG.length },
    token,
  );
  expect(granted.status).toBe(201);
  const form = new FormData();
  for (const [key, value] of Object.entries(granted.body.upload.fields as Record<string, string>)) form.append(key, value);
  form.append('file', new Blob([new Uint8Array(PNG)], { type: 'image/png' }));
  const response = await fetch(granted.body.upload.url as string, { method: 'POST', body: form });
  await response.arrayBuffer();
  expect(response.status).toBe(204);
  return granted.body.attachmentId as string;
}

/** The customer's id, as the conversation stored it. */
async function customerOf(conversationId: string): Promise<string> {
  const conversation = await stack.wiring().ports.conversations.get(conversationId);
  if (!conversation) throw new Error(`no conversation ${conversationId}`);
  return conversation.customer.id;
}

interface Scenario {
  customerId: string;
  chatId: string;
  otherChatId: string;
  ticketId: string;
  attachmentId: string;
  otherCustomerId: string;
  otherConversationId: string;
  erin: RawClient;
}

/** Erin: a chat with an image, closed and rated with a comment; a second chat; a ticket. Finn: one chat. */
async function scenario(): Promise<Scenario> {
  const agent = await staff('agent.tech@example.com');
  await agent.client.request({ action: 'status', status: 'online' }, ['status']);
  const erin = await signIn('/v1/auth/guest', { name: 'Erin Quill' });
  const visitor = { locale: 'en-GB', timeZone: 'Europe/London', page: 'https://shop.example/orders/7731' };
  const started = await erin.client.request(
    { action: 'start', skill: 'tech', text: 'My parcel zanzibarian never arrived', clientMsgId: 'e-1', visitor },
    ['conversation'],
  );
  const chatId = (started.conversation as { id: string }).id;
  await agent.client.waitFor(about('assigned', chatId));
  const attachmentId = await uploadImage(erin.token, chatId);
  await erin.client.request(
    { action: 'message', conversationId: chatId, clientMsgId: 'e-2', text: 'Receipt', attachment: { id: attachmentId } },
    ['ack'],
  );
  await agent.client.request({ action: 'message', conversationId: chatId, clientMsgId: 'a-1', text: 'Resending it today' }, ['ack']);
  await agent.client.request({ action: 'note', conversationId: chatId, clientMsgId: 'n-1', text: 'Erin is a VIP' }, ['ack']);
  await erin.client.request({ action: 'close', conversationId: chatId }, ['closed']);
  await erin.client.request({ action: 'rate', conversationId: chatId, score: 4, comment: 'Quick and kind' }, ['rated']);

  const second = await erin.client.request({ action: 'start', skill: 'tech', text: 'Another question quokkaesque', clientMsgId: 'e-3' }, [
    'conversation',
  ]);
  const otherChatId = (second.conversation as { id: string }).id;
  await agent.client.waitFor(about('assigned', otherChatId));
  await agent.client.request({ action: 'close', conversationId: otherChatId }, ['closed']);
  await erin.client.waitFor(about('closed', otherChatId));

  const ticket = await postJson(
    `${stack.httpUrl}/v1/tickets`,
    { skill: 'tech', name: 'Erin Quill', email: 'erin@customer.example', message: 'Invoice copy please xylophonic', clientMsgId: 'e-t1' },
    erin.token,
  );
  expect(ticket.status).toBe(201);
  const ticketId = ticket.body.ticket.id as string;
  const reply = await postJson(
    `${stack.httpUrl}/v1/tickets/${ticketId}/replies`,
    { text: 'Attached to this mail', clientMsgId: 'a-t1' },
    agent.token,
  );
  expect(reply.status).toBe(201);

  const finn = await signIn('/v1/auth/guest', { name: 'Finn Other' });
  const finnStarted = await finn.client.request({ action: 'start', skill: 'tech', text: 'Finn zanzibarian too', clientMsgId: 'f-1' }, [
    'conversation',
  ]);
  const otherConversationId = (finnStarted.conversation as { id: string }).id;
  await agent.client.waitFor(about('assigned', otherConversationId));
  await agent.client.request({ action: 'close', conversationId: otherConversationId }, ['closed']);

  return {
    customerId: await customerOf(chatId),
    chatId,
    otherChatId,
    ticketId,
    attachmentId,
    otherCustomerId: await customerOf(otherConversationId),
    otherConversationId,
    erin: erin.client,
  };
}

async function fetchArchive(url: string): Promise<Record<string, Uint8Array>> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/zip');
  return unzipSync(new Uint8Array(await response.arrayBuffer()));
}
const jsonOf = <T>(files: Record<string, Uint8Array>, path: string): T => {
  const file = files[path];
  if (!file) throw new Error(`${path} is not in the archive (${Object.keys(files).join(', ')})`);
  return JSON.parse(strFromU8(file)) as T;
};

async function auditItems(): Promise<Record<string, unknown>[]> {
  const { clients: sdk } = stack.wiring();
  const documents = DynamoDBDocumentClient.from(sdk.dynamodb);
  const month = new Date().toISOString().slice(0, 7);
  const found = await documents.send(
    new QueryCommand({
      TableName: stack.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `AUDIT#${month}` },
    }),
  );
  return (found.Items ?? []) as Record<string, unknown>[];
}

let world: Scenario;
let adminToken: string;

describe("a customer's data export on the local stack", () => {
  it(
    'holds every conversation, message, rating, ticket thread, visitor context and attachment, with a manifest; audited',
    async () => {
      world = await scenario();
      adminToken = (await staff('admin@example.com')).token;
      const answer = await getJson(exportUrl(world.customerId), adminToken);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ customerId: world.customerId, conversations: 3, attachments: 1 });
      expect(answer.body.messages).toBeGreaterThanOrEqual(6);

      const files = await fetchArchive(answer.body.url as string);
      const manifest = jsonOf<ExportManifest>(files, 'manifest.json');
      expect(manifest).toMatchObject({ format: 'parley-customer-export', version: 1, customerId: world.customerId });
      expect(manifest.conversations.map((conversation) => conversation.id).sort()).toEqual(
        [world.chatId, world.otherChatId, world.ticketId].sort(),
      );
      expect(Object.keys(files).sort()).toEqual(['manifest.json', ...manifest.files].sort());
      expect(manifest.profile).toMatchObject({ names: ['Erin Quill'], emails: ['erin@customer.example'] });
      expect(manifest.conversations.some((conversation) => conversation.id === world.otherConversationId)).toBe(false);

      // The rated chat: its rating and comment, the visitor context, every message, the image's bytes.
      const chat = jsonOf<Record<string, unknown>>(files, `conversations/${world.chatId}/conversation.json`);
      expect(chat).toMatchObject({
        rating: { score: 4, comment: 'Quick and kind' },
        visitor: { timeZone: 'Europe/London', page: 'https://shop.example/orders/7731' },
        locale: 'en-GB',
        status: 'closed',
      });
      const messages = jsonOf<Frame[]>(files, `conversations/${world.chatId}/messages.json`);
      expect(messages.map((message) => message.text)).toEqual(
        expect.arrayContaining(['My parcel zanzibarian never arrived', 'Receipt', 'Resending it today']),
      );
      const listed = manifest.conversations.find((conversation) => conversation.id === world.chatId)!;
      expect(listed.attachments).toEqual([
        expect.objectContaining({ id: world.attachmentId, name: 'receipt.png', contentType: 'image/png', size: PNG.length }),
      ]);
      expect(Buffer.from(files[listed.attachments[0]!.path!]!).equals(PNG)).toBe(true);

      // The ticket: its fields and its mail thread (the form's message and the agent's reply).
      expect(jsonOf<Record<string, unknown>>(files, `conversations/${world.ticketId}/conversation.json`)).toMatchObject({
        status: 'ticket',
        ticket: { email: 'erin@customer.example' },
      });
      expect(jsonOf<Frame[]>(files, `conversations/${world.ticketId}/messages.json`).map((message) => message.text)).toEqual([
        'Invoice copy please xylophonic',
        'Attached to this mail',
      ]);

      // Audited: an item naming the admin, the customer and the time.
      const audit = (await auditItems()).filter((item) => item.action === 'customer.export');
      expect(audit).toEqual([
        expect.objectContaining({ actorId: 'admin', customerId: world.customerId, at: answer.body.exportedAt, id: answer.body.exportId }),
      ]);
    },
    budget(20),
  );

  it('refuses agents and supervisors (403), a bad id (400) and a customer with nothing is an empty archive', async () => {
    for (const email of ['agent.tech@example.com', 'supervisor@example.com']) {
      const { token } = await staff(email);
      const refused = await getJson(exportUrl(world.customerId), token);
      expect(refused.status).toBe(403);
    }
    const customer = await signIn('/v1/auth/guest', { name: 'Self' });
    expect((await getJson(exportUrl(world.customerId), customer.token)).status).toBe(403);
    expect((await getJson(exportUrl('agent-tech'), adminToken)).status).toBe(400);
    const empty = await getJson(exportUrl('guest:01JZZZZZZZZZZZZZZZZZZZZZZZ'), adminToken);
    expect(empty.status).toBe(200);
    expect(empty.body).toMatchObject({ conversations: 0, messages: 0, attachments: 0 });
    const files = await fetchArchive(empty.body.url as string);
    expect(jsonOf<ExportManifest>(files, 'manifest.json').conversations).toEqual([]);
    expect(storedKey(world.chatId, world.attachmentId)).toContain(world.chatId);
  });

  it(
    'an erase is refused to agents and supervisors and while a chat is in progress; then search, export and the bucket find nothing, reports keep their totals',
    async () => {
      const agent = await staff('agent.tech@example.com');
      const supervisor = await staff('supervisor@example.com');
      for (const token of [agent.token, supervisor.token]) expect((await erase(world.customerId, token)).status).toBe(403);
      expect((await erase('not-a-customer', adminToken)).status).toBe(400);
      expect((await erase(world.customerId, adminToken, '?force=maybe')).status).toBe(400);

      // A chat in progress: refused (409) without force, and nothing is erased.
      await agent.client.request({ action: 'status', status: 'online' }, ['status']);
      world.erin.send({ action: 'start', skill: 'tech', text: 'One more thing', clientMsgId: 'e-9' });
      const third = await waitFor(() => stack.wiring().ports.conversations.findOpen(world.customerId), { message: 'the third chat' });
      const thirdId = third.id;
      await agent.client.waitFor(about('assigned', thirdId));
      const refused = await erase(world.customerId, adminToken);
      expect(refused.status).toBe(409);
      expect(JSON.stringify(refused.body)).toContain(thirdId);
      expect((await stack.wiring().ports.conversations.listMessages(world.chatId, 0, 10)).messages.length).toBeGreaterThan(0);
      await agent.client.request({ action: 'close', conversationId: thirdId }, ['closed']);

      // What search finds before, and the report totals, once every event is counted and indexed.
      await eventsSettled();
      expect(await found(adminToken, { q: 'zanzibarian' })).toEqual(expect.arrayContaining([world.chatId, world.otherConversationId]));
      expect(await found(agent.token, { q: 'zanzibarian' })).toEqual(expect.arrayContaining([world.chatId]));
      expect(await found(adminToken, { q: 'erin@customer.example' })).toEqual([world.ticketId]);
      expect((await found(adminToken, { customer: 'Erin Qu' })).length).toBeGreaterThanOrEqual(3);
      const day = new Date().toISOString().slice(0, 10);
      const reportUrl = `${stack.httpUrl}/v1/reports?from=${day}&to=${day}&groupBy=agent`;
      const before = (await getJson(reportUrl, adminToken)).body;

      // Answered, the ticket waits on the customer (pending).
      const ticketsIn = async (state: string) =>
        ((await getJson(`${stack.httpUrl}/v1/tickets?skill=tech&state=${state}`, adminToken)).body.tickets as Array<{ id: string }>).map(
          (listed) => listed.id,
        );
      expect(await ticketsIn('pending')).toContain(world.ticketId);

      expect((await stack.wiring().ports.notes.list(world.chatId, 0, 10)).notes.map((note) => note.text)).toEqual(['Erin is a VIP']);
      const erased = await erase(world.customerId, adminToken);
      expect(erased.status).toBe(200);
      expect(erased.body).toMatchObject({ customerId: world.customerId, conversations: 4, closed: 0, attachments: 1 });
      await eventsSettled();

      // Search by words of the messages, by email, by name and by id finds none of the customer's.
      expect(await found(adminToken, { q: 'zanzibarian' })).toEqual([world.otherConversationId]);
      expect(await found(agent.token, { q: 'zanzibarian' })).toEqual([world.otherConversationId]);
      for (const q of ['quokkaesque', 'xylophonic', 'Receipt', 'erin@customer.example', world.customerId]) {
        expect(await found(adminToken, { q }), q).toEqual([]);
      }
      expect(await found(adminToken, { customer: 'Erin' })).toEqual([]);
      expect(await found(adminToken, { customer: 'Finn' })).toEqual([world.otherConversationId]);
      // The postings themselves are gone (not merely filtered), in everyone's scope and the agent's.
      for (const scope of ['all', 'a:agent-tech']) {
        for (const term of ['w:zanzibarian', 'w:resending', 'n:erin', 'e:erin@customer.example']) {
          const left = await stack.wiring().ports.search.postings(scope, term, undefined, 50);
          expect(
            left.filter((posting) => posting.conversationId !== world.otherConversationId),
            `${scope} ${term}`,
          ).toEqual([]);
        }
      }

      // Export finds nothing; the file is gone from the bucket.
      const after = await getJson(exportUrl(world.customerId), adminToken);
      expect(after.body).toMatchObject({ conversations: 0, messages: 0, attachments: 0 });
      expect(await stack.wiring().ports.attachments!.store.head(storedKey(world.chatId, world.attachmentId))).toBeUndefined();
      expect(await stack.wiring().ports.attachments!.store.list(`conversations/${world.chatId}/`)).toEqual([]);

      // Tombstones: status, skill, agent and score kept; the customer, the comment, the context and the messages gone.
      const tombstone = await stack.wiring().ports.conversations.get(world.chatId);
      expect(tombstone).toMatchObject({
        status: 'closed',
        customer: { id: 'erased', name: 'erased' },
        rating: { score: 4 },
        skill: 'tech',
      });
      expect(tombstone?.rating?.comment).toBeUndefined();
      expect(tombstone?.visitor).toBeUndefined();
      expect(tombstone?.locale).toBeUndefined();
      expect((await stack.wiring().ports.conversations.listMessages(world.chatId, 0, 10)).messages).toEqual([]);
      expect((await stack.wiring().ports.notes.list(world.chatId, 0, 10)).notes).toEqual([]);
      const ticket = await stack.wiring().ports.conversations.get(world.ticketId);
      expect(ticket).toMatchObject({ status: 'ticket', ticket: { email: 'erased', subject: 'erased', state: 'solved' } });
      expect(await ticketsIn('pending')).not.toContain(world.ticketId);
      expect(await ticketsIn('solved')).toContain(world.ticketId);

      // Reports: the same totals; the agent's ratings keep the score without the comment or the customer.
      expect((await getJson(reportUrl, adminToken)).body).toEqual(before);
      const ratings = (await getJson(`${stack.httpUrl}/v1/reports/ratings?agent=agent-tech`, adminToken)).body.ratings as Array<
        Record<string, unknown>
      >;
      const rating = ratings.find((candidate) => candidate.conversationId === world.chatId);
      expect(rating).toMatchObject({ score: 4, customerId: 'erased' });
      expect(rating?.comment).toBeUndefined();

      // The other customer is untouched.
      const finn = await stack.wiring().ports.conversations.get(world.otherConversationId);
      expect(finn?.customer).toMatchObject({ id: world.otherCustomerId, name: 'Finn Other' });
      expect((await stack.wiring().ports.conversations.listMessages(world.otherConversationId, 0, 10)).messages[0]?.text).toBe(
        'Finn zanzibarian too',
      );

      // A retried erase is fine and finds nothing left; both erasures are audited.
      const again = await erase(world.customerId, adminToken);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ conversations: 0, messages: 0, attachments: 0 });
      const audits = (await auditItems()).filter((item) => item.action === 'customer.erase' && item.customerId === world.customerId);
      expect(audits).toHaveLength(2);
      expect(audits[0]).toMatchObject({ actorId: 'admin', at: erased.body.erasedAt });
    },
    budget(30),
  );

  it('with force, closes a chat in progress (the agent is told and freed) before erasing it', async () => {
    const agent = await staff('agent.tech@example.com');
    await agent.client.request({ action: 'status', status: 'online' }, ['status']);
    const gus = await signIn('/v1/auth/guest', { name: 'Gus Open' });
    const started = await gus.client.request({ action: 'start', skill: 'tech', text: 'Still here', clientMsgId: 'g-1' }, ['conversation']);
    const id = (started.conversation as { id: string }).id;
    await agent.client.waitFor(about('assigned', id));
    const customerId = await customerOf(id);
    const erased = await erase(customerId, adminToken, '?force=true');
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ conversations: 1, closed: 1 });
    await agent.client.waitFor(about('closed', id));
    await gus.client.waitFor(about('closed', id));
    expect(await stack.wiring().ports.conversations.get(id)).toMatchObject({ status: 'closed', customer: { name: 'erased' } });
    expect(await stack.wiring().ports.conversations.findOpen(customerId)).toBeUndefined();
    expect(await stack.wiring().ports.conversations.listAssignedTo('agent-tech')).not.toContainEqual(expect.objectContaining({ id }));
  });
});
