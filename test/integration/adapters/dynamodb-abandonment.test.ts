import { UpdateCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoConversationStore } from '../../../functions/adapters/dynamodb/conversation-store';
import { keys } from '../../../functions/adapters/dynamodb/keys';
import { ulidGenerator } from '../../../functions/adapters/system/clock';
import type { Conversation } from '../../../functions/domain/conversation';
import type { UserRef } from '../../../functions/domain/identity';
import { SYSTEM_SENDER } from '../../../functions/domain/identity';
import { ensureTable, localDynamoClient, startDynalite, type DynaliteServer } from '../../../local/dynamodb/dynalite-server';

/**
 * What the abandoned-chat sweep relies on in DynamoDB: the message write records who spoke
 * last on each side in the update it already makes, even under contention, and the notice and
 * the close are conditional on nothing new from the customer.
 */
const TABLE = 'parley-abandonment';
let server: DynaliteServer;
let documents: DynamoDBDocumentClient;
let store: DynamoConversationStore;
const requests: string[] = [];
const ids = ulidGenerator();
const now = () => new Date().toISOString();
const AGENT: UserRef = { id: 'agent-1', role: 'agent', name: 'Ada' };

beforeAll(async () => {
  server = await startDynalite({ port: 0 });
  const client = localDynamoClient(server.endpoint);
  await ensureTable(client, TABLE);
  client.middlewareStack.add(
    (next, context) => (args) => {
      requests.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  store = new DynamoConversationStore(documents, TABLE, ids);
});

afterAll(async () => {
  await server?.close();
});

async function assignedConversation(): Promise<{ conversation: Conversation; customer: UserRef }> {
  const customer: UserRef = { id: `guest:${ids.next()}`, role: 'customer', name: 'Cy' };
  const { conversation } = await store.openFor({ id: ids.next(), customer: { id: customer.id, name: 'Cy' }, skill: 'billing', now: now() });
  const assigned = await store.assign(conversation.id, { id: AGENT.id, name: AGENT.name }, now());
  return { conversation: assigned!, customer };
}

const say = async (conversation: Conversation, sender: UserRef, text: string) =>
  (await store.appendMessage((await store.get(conversation.id))!, { sender, text, clientMsgId: `${sender.id}:${text}` }, now())).message;

describe('abandoned-chat bookkeeping on dynalite', () => {
  it('records each side in the update that moves lastSeq: no extra request per message', async () => {
    const { conversation, customer } = await assignedConversation();
    requests.length = 0;
    const fromCustomer = (await store.appendMessage(conversation, { sender: customer, text: 'Hello', clientMsgId: 'hello' }, now()))
      .message;
    // Claim the clientMsgId, place the message, move lastSeq (and the side): no request of its own.
    expect(requests).toEqual(['PutItemCommand', 'PutItemCommand', 'UpdateItemCommand']);
    const fromAgent = await say(conversation, AGENT, 'Hi, how can I help?');
    await say(conversation, SYSTEM_SENDER, 'A notice');
    expect(await store.get(conversation.id)).toMatchObject({
      lastSeq: 3,
      lastCustomerSeq: fromCustomer.seq,
      lastCustomerAt: fromCustomer.ts,
      lastAgentSeq: fromAgent.seq,
      lastAgentAt: fromAgent.ts,
    });
  });

  it('still records a customer message whose lastSeq update lost to a later message', async () => {
    const { conversation, customer } = await assignedConversation();
    // A later writer already moved lastSeq on (its message items are not needed for this).
    await documents.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: keys.conversation(conversation.id),
        UpdateExpression: 'SET lastSeq = :seq',
        ExpressionAttributeValues: { ':seq': 5 },
      }),
    );
    const message = (await store.appendMessage(conversation, { sender: customer, text: 'Late', clientMsgId: 'late' }, now())).message;
    expect(message.seq).toBe(1);
    expect(await store.get(conversation.id)).toMatchObject({ lastSeq: 5, lastCustomerSeq: 1 });
  });

  it('marks the notice once, and closes only while the customer stays silent since the agent', async () => {
    const { conversation, customer } = await assignedConversation();
    await say(conversation, customer, 'Hello');
    const asked = await say(conversation, AGENT, 'Which invoice?');
    expect(await store.closeAbandoned(conversation.id, asked.seq, now())).toBeUndefined(); // no notice yet
    expect(await store.markAbandonNotice(conversation.id, asked.seq, now())).toBe(true);
    expect(await store.markAbandonNotice(conversation.id, asked.seq, now())).toBe(false);

    await say(conversation, customer, 'The March one');
    expect(await store.closeAbandoned(conversation.id, asked.seq, now())).toBeUndefined();
    expect(await store.markAbandonNotice(conversation.id, asked.seq, now())).toBe(false);

    const again = await say(conversation, AGENT, 'Found it. Anything else?');
    expect(await store.markAbandonNotice(conversation.id, again.seq, now())).toBe(true);
    const closed = await store.closeAbandoned(conversation.id, again.seq, now());
    expect(closed).toMatchObject({ status: 'closed', closeReason: 'abandoned', closedBy: { id: 'system', role: 'system' } });
    expect(await store.closeAbandoned(conversation.id, again.seq, now())).toBeUndefined();
    // The customer's open pointer went with it: a new start opens a new conversation.
    expect(await store.findOpen(customer.id)).toBeUndefined();
  });
});
