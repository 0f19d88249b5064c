import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { storedKey } from '../../functions/domain/attachment';
import type { ExportManifest } from '../../functions/domain/customer-data';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { RawClient, getJson, postJson, type Frame } from '../../local/tools/raw-client';
import { beforeAllOrFail, budget, STACK_START_MS } from '../support/setup';

/**
 * Customers' data rights (issue 11, docs/data-rights.md) on the local stack: an admin's export
 * of a customer with two chats (one with an image, rated with a comment, with visitor context)
 * and a ticket holds everything, in one zip with a manifest, fetched from the bucket on a
 * presigned GET, and is audited; agents and supervisors are refused.
 */
let stack: LocalStack;
const clients: RawClient[] = [];

beforeAllOrFail(async () => {
  stack = await startLocalStack({ httpPort: 0, wsPort: 0, demo: true, web: false });
}, STACK_START_MS);

afterAll(async () => {
  for (const client of clients) await client.close();
  await stack?.stop();
});

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
});
