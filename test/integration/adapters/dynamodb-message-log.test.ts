import { GetCommand, PutCommand, QueryCommand, UpdateCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusShardKey } from '../../../functions/adapters/dynamodb/conversation-items';
import { DynamoConversationStore } from '../../../functions/adapters/dynamodb/conversation-store';
import { keys } from '../../../functions/adapters/dynamodb/keys';
import { CURSOR_WINDOW } from '../../../functions/adapters/dynamodb/message-log';
import { INDEXES } from '../../../functions/adapters/dynamodb/table-schema';
import { ulidGenerator } from '../../../functions/adapters/system/clock';
import type { Conversation } from '../../../functions/domain/conversation';
import { ensureTable, localDynamoClient, startDynalite, type DynaliteServer } from '../../../local/dynamodb/dynalite-server';
import { RequestCounter } from '../../../scripts/bench/request-counter';

/**
 * The message log's request budget and its recovery from an attempt that died at each step
 * (issue 14; docs/delivery.md "The message path's requests").
 */
const TABLE = 'parley-message-log';
let server: DynaliteServer;
let documents: DynamoDBDocumentClient;
let store: DynamoConversationStore;
const counter = new RequestCounter();
/** Every command sent, by name, in order (the counter counts; this names them). */
const sent: string[] = [];
/** Items the Queries returned since `measured` began (what a walk reads). */
let itemsRead = 0;
const ids = ulidGenerator();
const now = () => new Date().toISOString();
const ann = { id: 'guest:ann', role: 'customer' as const, name: 'Ann' };

/** A request held before it is sent, until released: a slow attempt at an exact step. */
interface Gate {
  matches(command: string, input: string): boolean;
  reached(): void;
  released: Promise<void>;
}
const gates: Gate[] = [];

/** Holds the next request `matches` accepts; `reached` resolves when it is held, `release` lets it go. */
function hold(matches: (command: string, input: string) => boolean): { reached: Promise<void>; release: () => void } {
  let reached!: () => void;
  let release!: () => void;
  const reachedPromise = new Promise<void>((resolve) => {
    reached = resolve;
  });
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  gates.push({ matches, reached, released });
  return { reached: reachedPromise, release };
}

/** The slot put of a message with this clientMsgId. */
const slotPut = (clientMsgId: string) => (command: string, input: string) =>
  command === 'PutItemCommand' && input.includes('"MSG#') && input.includes(`"${clientMsgId}"`);
const bob = { id: 'agent-bob', role: 'agent' as const, name: 'Bob' };

beforeAll(async () => {
  server = await startDynalite({ port: 0 });
  const client = localDynamoClient(server.endpoint);
  await ensureTable(client, TABLE);
  counter.attach(client, 'dynamodb');
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(String(context.commandName).replace(/Command$/, ''));
      const gate = gates.find((one) => one.matches(String(context.commandName), JSON.stringify(args.input)));
      if (gate) {
        gates.splice(gates.indexOf(gate), 1);
        gate.reached();
        await gate.released;
      }
      const result = await next(args);
      const count = (result as { output?: { Count?: unknown } }).output?.Count;
      if (String(context.commandName) === 'QueryCommand' && typeof count === 'number') itemsRead += count;
      return result;
    },
    { step: 'initialize', name: 'testCommandNames' },
  );
  documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  store = new DynamoConversationStore(documents, TABLE, ids);
});

afterAll(async () => {
  await server?.close();
});

/** Runs `work` and returns the DynamoDB requests it made: their count (the bench's counter) and names. */
async function measured(work: () => Promise<unknown>): Promise<{ count: number; commands: string[] }> {
  counter.take();
  sent.length = 0;
  itemsRead = 0;
  await work();
  const count = [...counter.take().values()].reduce((sum, row) => sum + row.dynamodb, 0);
  return { count, commands: [...sent] };
}

async function newConversation(): Promise<Conversation> {
  const { conversation } = await store.openFor({
    id: ids.next(),
    customer: { id: `guest:${ids.next()}`, name: 'Ann' },
    skill: 'billing',
    now: now(),
  });
  return conversation;
}

async function stored(conversationId: string) {
  return (await store.listMessages(conversationId, 0, 1000)).messages;
}

/**
 * A customer's send whose attempt died after its slot, before lastSeq (the lastSeq update
 * undone), then resent as it was: the resend finds the message, reports it resumed and moves
 * lastSeq; the log holds it once.
 */
async function resendAfterDeathBeforeLastSeq(draft: Parameters<DynamoConversationStore['appendMessage']>[1]): Promise<void> {
  const conversation = await newConversation();
  const original = await store.appendMessage(conversation, { ...draft }, now());
  // Undo the lastSeq update, as if the attempt died just before it.
  await documents.send(
    new UpdateCommand({
      TableName: TABLE,
      Key: keys.conversation(conversation.id),
      UpdateExpression: 'SET lastSeq = :zero REMOVE lastCustomerSeq, lastCustomerAt',
      ExpressionAttributeValues: { ':zero': 0 },
    }),
  );
  const current = (await store.get(conversation.id))!;
  const resend = await store.appendMessage(current, { ...draft }, now());
  expect(resend).toEqual({ message: original.message, duplicate: true, resumed: true });
  expect(await store.get(conversation.id)).toMatchObject({ lastSeq: 1, lastCustomerSeq: 1 });
  expect(await stored(conversation.id)).toHaveLength(1);
}

describe('MessageLog requests', () => {
  it('stores a new message with 3 requests: the claim, the slot and lastSeq', async () => {
    const conversation = await newConversation();
    const first = await measured(() => store.appendMessage(conversation, { sender: ann, text: 'hi', clientMsgId: 'c1' }, now()));
    expect(first).toEqual({ count: 3, commands: ['PutItem', 'PutItem', 'UpdateItem'] });
    const current = (await store.get(conversation.id))!;
    expect(current).toMatchObject({ lastSeq: 1, lastCustomerSeq: 1 });
    const reply = await measured(() => store.appendMessage(current, { sender: bob, text: 'hello', clientMsgId: 'a1' }, now()));
    expect(reply).toEqual({ count: 3, commands: ['PutItem', 'PutItem', 'UpdateItem'] });
    expect(await store.get(conversation.id)).toMatchObject({ lastSeq: 2, lastCustomerSeq: 1, lastAgentSeq: 2 });
  });

  it('answers a resend with the original and writes nothing: the claim, (its read on dynalite,) one Query', async () => {
    const conversation = await newConversation();
    const original = await store.appendMessage(conversation, { sender: ann, text: 'once', clientMsgId: 'dup' }, now());
    const current = (await store.get(conversation.id))!;
    let again: Awaited<ReturnType<typeof store.appendMessage>> | undefined;
    const resend = await measured(async () => {
      again = await store.appendMessage(current, { sender: ann, text: 'once', clientMsgId: 'dup' }, now());
    });
    expect(again).toEqual({ message: original.message, duplicate: true, resumed: false });
    // On AWS the failed put returns the claim (ALL_OLD): 2 requests; dynalite ignores that, hence the GetItem.
    expect(resend.commands).toEqual(['PutItem', 'GetItem', 'Query']);
    expect(await stored(conversation.id)).toHaveLength(1);
  });

  it('leaves every index entry alone when a message moves lastSeq (no per-message attribute is projected)', async () => {
    const conversation = await newConversation();
    const indexed = async () =>
      Promise.all(
        [
          [INDEXES.byCustomer, conversation.customer.id],
          [INDEXES.byStatus, statusShardKey('queued', conversation.id)],
          [INDEXES.queue, conversation.skill],
        ].map(async ([index, value]) => {
          const { indexName, partitionKey } = index as { indexName: string; partitionKey: string };
          const result = await documents.send(
            new QueryCommand({
              TableName: TABLE,
              IndexName: indexName,
              KeyConditionExpression: '#key = :value',
              ExpressionAttributeNames: { '#key': partitionKey },
              ExpressionAttributeValues: { ':value': value },
            }),
          );
          return (result.Items ?? []).find((item) => item.pk === keys.conversation(conversation.id).pk);
        }),
      );
    const before = await indexed();
    expect(before.every((item) => item !== undefined)).toBe(true);
    await store.appendMessage(conversation, { sender: ann, text: 'still waiting', clientMsgId: 'w1' }, now());
    expect((await store.get(conversation.id))?.lastSeq).toBe(1);
    const after = await indexed();
    expect(after).toEqual(before);
    for (const item of after) {
      for (const name of ['lastSeq', 'updatedAt', 'lastCustomerSeq', 'lastCustomerAt', 'lastAgentSeq', 'lastAgentAt']) {
        expect(item, name).not.toHaveProperty(name);
      }
    }
    // The listings still show the conversation as it is now: they read the items themselves.
    expect((await store.listForCustomer(conversation.customer.id, 10))[0]).toMatchObject({ id: conversation.id, lastSeq: 1 });
    expect((await store.listByStatus('queued', 1000)).find((one) => one.id === conversation.id)).toMatchObject({ lastSeq: 1 });
    expect((await store.listQueued(conversation.skill, 1000)).find((one) => one.id === conversation.id)).toMatchObject({
      id: conversation.id,
      status: 'queued',
      customer: conversation.customer,
    });
  });
});

describe('MessageLog recovery from an attempt that died', () => {
  it('after its claim: the resend places the message once, with the claimed id', async () => {
    const conversation = await newConversation();
    await documents.send(
      new PutCommand({
        TableName: TABLE,
        Item: {
          ...keys.clientMessage(conversation.id, ann.id, 'lost'),
          kind: 'client-message',
          messageId: 'M-LOST',
          floor: 0,
          createdAt: now(),
        },
      }),
    );
    const resend = await store.appendMessage(conversation, { sender: ann, text: 'lost', clientMsgId: 'lost' }, now());
    expect(resend).toMatchObject({ duplicate: false, resumed: false, message: { seq: 1, messageId: 'M-LOST' } });
    expect((await store.get(conversation.id))?.lastSeq).toBe(1);
    const third = await store.appendMessage(conversation, { sender: ann, text: 'lost', clientMsgId: 'lost' }, now());
    expect(third).toMatchObject({ duplicate: true, message: { seq: 1, messageId: 'M-LOST' } });
    expect(await stored(conversation.id)).toHaveLength(1);
  });

  it('after its slot, before lastSeq: the resend finds it, reports it resumed and moves lastSeq', async () => {
    await resendAfterDeathBeforeLastSeq({ sender: ann, text: 'one', clientMsgId: 'one' });
  });

  it('still answers claims completed before completions were dropped (their seq)', async () => {
    const conversation = await newConversation();
    const original = await store.appendMessage(conversation, { sender: ann, text: 'old', clientMsgId: 'old' }, now());
    await documents.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: keys.clientMessage(conversation.id, ann.id, 'old'),
        UpdateExpression: 'SET seq = :seq, messageId = :other',
        ExpressionAttributeValues: { ':seq': 1, ':other': 'NOT-WALKED' },
      }),
    );
    const current = (await store.get(conversation.id))!;
    expect(await store.appendMessage(current, { sender: ann, text: 'old', clientMsgId: 'old' }, now())).toEqual({
      message: original.message,
      duplicate: true,
      resumed: false,
    });
    expect(await store.findByClientMsgId(conversation.id, ann.id, 'old')).toEqual(original.message);
  });

  it('finds a message by clientMsgId across more than a page of later messages, and nothing for an unplaced claim', async () => {
    const conversation = await newConversation();
    const target = await store.appendMessage(conversation, { sender: ann, text: 'first', clientMsgId: 'far' }, now());
    let current = (await store.get(conversation.id))!;
    for (let i = 0; i < 120; i++) {
      const { message } = await store.appendMessage(current, { sender: bob, text: `r${i}` }, now());
      current = { ...current, lastSeq: message.seq };
    }
    // A claim whose message sits 120 messages above its floor (as a stale floor would leave it).
    await documents.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: keys.clientMessage(conversation.id, bob.id, 'late'),
        UpdateExpression: 'SET messageId = :id, floor = :floor, kind = :kind',
        ExpressionAttributeValues: { ':id': 'NEVER-PLACED', ':floor': 0, ':kind': 'client-message' },
      }),
    );
    expect(await store.findByClientMsgId(conversation.id, ann.id, 'far')).toEqual(target.message);
    expect(await store.findByClientMsgId(conversation.id, bob.id, 'late')).toBeUndefined();
    expect(await store.findByClientMsgId(conversation.id, bob.id, 'never')).toBeUndefined();
    // The unplaced claim's resend walks the 121 messages and places it at the end, once.
    const placed = await store.appendMessage(current, { sender: bob, text: 'late', clientMsgId: 'late' }, now());
    expect(placed).toMatchObject({ duplicate: false, message: { seq: 122, messageId: 'NEVER-PLACED' } });
    const seqs = (await stored(conversation.id)).map((message) => message.seq);
    expect(seqs).toEqual(Array.from({ length: 122 }, (_, i) => i + 1));
  });

  it('numbers racing sends and resends 1..N, each clientMsgId once', async () => {
    const conversation = await newConversation();
    const sends = Array.from({ length: 12 }, (_, i) => ({ sender: ann, text: `m${i}`, clientMsgId: `r${i % 6}` }));
    const results = await Promise.all(sends.map((draft) => store.appendMessage(conversation, draft, now())));
    const messages = await stored(conversation.id);
    expect(messages.map((message) => message.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(new Set(messages.map((message) => message.clientMsgId)).size).toBe(6);
    for (const result of results) expect(messages).toContainEqual(result.message);
    expect((await store.get(conversation.id))?.lastSeq).toBe(6);
  });
});

describe("MessageLog with the sender's cursor (issue 14: no clientMsgId record)", () => {
  const claimOf = async (conversationId: string, senderId: string, clientMsgId: string) =>
    (await documents.send(new GetCommand({ TableName: TABLE, Key: keys.clientMessage(conversationId, senderId, clientMsgId) }))).Item;

  it('stores a new message with 2 requests (the slot and lastSeq) and answers its resend with 1 Query', async () => {
    const conversation = await newConversation();
    const first = await measured(() => store.appendMessage(conversation, { sender: ann, text: 'hi', clientMsgId: 'k1', cursor: 0 }, now()));
    expect(first).toEqual({ count: 2, commands: ['PutItem', 'UpdateItem'] });
    expect(await claimOf(conversation.id, ann.id, 'k1')).toBeUndefined();
    const current = (await store.get(conversation.id))!;
    expect(current).toMatchObject({ lastSeq: 1, lastCustomerSeq: 1 });
    const reply = await measured(() => store.appendMessage(current, { sender: bob, text: 'hello', clientMsgId: 'b1', cursor: 1 }, now()));
    expect(reply).toEqual({ count: 2, commands: ['PutItem', 'UpdateItem'] });
    const later = (await store.get(conversation.id))!;
    let again: Awaited<ReturnType<typeof store.appendMessage>> | undefined;
    // The resend carries the cursor of the first send (0): the run above it holds the original.
    const resend = await measured(async () => {
      again = await store.appendMessage(later, { sender: ann, text: 'hi', clientMsgId: 'k1', cursor: 0 }, now());
    });
    expect(resend).toEqual({ count: 1, commands: ['Query'] });
    expect(again).toMatchObject({ duplicate: true, resumed: false, message: { seq: 1, clientMsgId: 'k1', sender: ann } });
    expect(await store.findByClientMsgId(conversation.id, ann.id, 'k1', 0)).toMatchObject({ seq: 1, text: 'hi' });
    expect(await store.findByClientMsgId(conversation.id, ann.id, 'other', 0)).toBeUndefined();
    expect((await stored(conversation.id)).map((message) => message.seq)).toEqual([1, 2]);
  });

  it('a sender behind lastSeq reads the run above its cursor first, then takes the next slot', async () => {
    const conversation = await newConversation();
    await store.appendMessage(conversation, { sender: bob, text: 'one', clientMsgId: 'b1', cursor: 0 }, now());
    const current = (await store.get(conversation.id))!;
    const behind = await measured(() => store.appendMessage(current, { sender: ann, text: 'two', clientMsgId: 'k2', cursor: 0 }, now()));
    expect(behind).toEqual({ count: 3, commands: ['Query', 'PutItem', 'UpdateItem'] });
    expect((await stored(conversation.id)).map((message) => message.seq)).toEqual([1, 2]);
  });

  it('a cursor ahead of the log (a client that lies) still takes the next slot: no gap', async () => {
    const conversation = await newConversation();
    const placed = await store.appendMessage(conversation, { sender: ann, text: 'far', clientMsgId: 'k3', cursor: 50 }, now());
    expect(placed).toMatchObject({ duplicate: false, message: { seq: 1 } });
    expect((await store.get(conversation.id))?.lastSeq).toBe(1);
  });

  it('after its slot, before lastSeq: the resend finds it, reports it resumed and moves lastSeq', async () => {
    await resendAfterDeathBeforeLastSeq({ sender: ann, text: 'one', clientMsgId: 'k4', cursor: 0 });
  });

  it('a slow first attempt whose slot put comes after a resend stored the message finds that copy', async () => {
    const conversation = await newConversation();
    const slow = hold(slotPut('k5'));
    const first = store.appendMessage(conversation, { sender: ann, text: 'slow', clientMsgId: 'k5', cursor: 0 }, now());
    await slow.reached;
    // The client gave up on the first attempt and resent after reconnecting; another message came in between.
    await store.appendMessage(conversation, { sender: bob, text: 'meanwhile', clientMsgId: 'b5', cursor: 0 }, now());
    const resend = await store.appendMessage(
      (await store.get(conversation.id))!,
      { sender: ann, text: 'slow', clientMsgId: 'k5', cursor: 0 },
      now(),
    );
    expect(resend).toMatchObject({ duplicate: false, message: { seq: 2 } });
    slow.release();
    expect(await first).toMatchObject({ duplicate: true, message: resend.message });
    const messages = await stored(conversation.id);
    expect(messages.map((message) => [message.seq, message.clientMsgId])).toEqual([
      [1, 'b5'],
      [2, 'k5'],
    ]);
    expect((await store.get(conversation.id))?.lastSeq).toBe(2);
  });

  it('a resend whose walk came before the first attempt placed the message finds it when its own put loses', async () => {
    const conversation = await newConversation();
    await store.appendMessage(conversation, { sender: bob, text: 'one', clientMsgId: 'b6', cursor: 0 }, now());
    const current = (await store.get(conversation.id))!;
    // Both attempts carry cursor 0 while lastSeq is 1: each reads the run above 0 first.
    const late = hold(slotPut('k6'));
    const resend = store.appendMessage(current, { sender: ann, text: 'race', clientMsgId: 'k6', cursor: 0 }, now());
    await late.reached; // the resend read the run (no copy yet) and is about to put at 2
    const first = await store.appendMessage(current, { sender: ann, text: 'race', clientMsgId: 'k6', cursor: 0 }, now());
    expect(first).toMatchObject({ duplicate: false, message: { seq: 2 } });
    late.release();
    expect(await resend).toMatchObject({ duplicate: true, message: first.message });
    expect((await stored(conversation.id)).map((message) => message.seq)).toEqual([1, 2]);
  });

  it('numbers racing sends and resends of several senders 1..N, each clientMsgId once', async () => {
    const conversation = await newConversation();
    const sends = Array.from({ length: 18 }, (_, i) => ({
      sender: i % 3 === 0 ? bob : ann,
      text: `m${i}`,
      clientMsgId: `q${i % 9}`,
      cursor: 0,
    }));
    const results = await Promise.all(sends.map((draft) => store.appendMessage(conversation, draft, now())));
    const messages = await stored(conversation.id);
    expect(messages.map((message) => message.seq)).toEqual(Array.from({ length: messages.length }, (_, i) => i + 1));
    const sendsStored = messages.map((message) => `${message.sender.id}/${message.clientMsgId}`);
    expect(new Set(sendsStored).size).toBe(sendsStored.length);
    expect(new Set(sends.map((draft) => `${draft.sender.id}/${draft.clientMsgId}`)).size).toBe(sendsStored.length);
    for (const result of results) expect(messages).toContainEqual(result.message);
    expect((await store.get(conversation.id))?.lastSeq).toBe(messages.length);
  });
});

describe('MessageLog with a cursor far below lastSeq (issue 14: the search above a cursor is bounded)', () => {
  /** A conversation holding `count` messages of Bob's, each sent with an up-to-date cursor. */
  async function withMessages(count: number): Promise<Conversation> {
    const conversation = await newConversation();
    for (let seq = 0; seq < count; seq++) {
      await store.appendMessage(
        { ...conversation, lastSeq: seq },
        { sender: bob, text: `m${seq}`, clientMsgId: `s${seq}`, cursor: seq },
        now(),
      );
    }
    return (await store.get(conversation.id))!;
  }

  it('a send whose cursor lies far below lastSeq reads one window, then takes the claim path; its resend too', async () => {
    const behind = 3 * CURSOR_WINDOW + 17;
    const conversation = await withMessages(behind);
    let placed: Awaited<ReturnType<typeof store.appendMessage>> | undefined;
    const send = await measured(async () => {
      placed = await store.appendMessage(conversation, { sender: ann, text: 'old cursor', clientMsgId: 'far', cursor: 0 }, now());
    });
    // The window above the cursor (no copy there), the clientMsgId claim, the slot, lastSeq.
    expect(send.commands).toEqual(['Query', 'PutItem', 'PutItem', 'UpdateItem']);
    expect(itemsRead).toBeLessThanOrEqual(CURSOR_WINDOW);
    expect(placed).toMatchObject({ duplicate: false, message: { seq: behind + 1, clientMsgId: 'far' } });

    const current = (await store.get(conversation.id))!;
    let again: Awaited<ReturnType<typeof store.appendMessage>> | undefined;
    const resend = await measured(async () => {
      again = await store.appendMessage(current, { sender: ann, text: 'old cursor', clientMsgId: 'far', cursor: 0 }, now());
    });
    // The window, the claim put that fails (and its read on dynalite), the run above the claim's floor.
    expect(resend.commands).toEqual(['Query', 'PutItem', 'GetItem', 'Query']);
    expect(itemsRead).toBeLessThanOrEqual(CURSOR_WINDOW + 1);
    expect(again).toEqual({ message: placed!.message, duplicate: true, resumed: false });

    // A closed conversation's resend looks the same way: the window, then the claim.
    let found: unknown;
    const lookup = await measured(async () => {
      found = await store.findByClientMsgId(conversation.id, ann.id, 'far', 0);
    });
    expect(lookup.count).toBeLessThanOrEqual(3);
    expect(itemsRead).toBeLessThanOrEqual(CURSOR_WINDOW + 1);
    expect(found).toEqual(placed!.message);
    expect(await stored(conversation.id)).toHaveLength(behind + 1);
  });

  it('a resend that finds the window full answers the copy its first attempt placed inside it', async () => {
    const conversation = await withMessages(CURSOR_WINDOW - 1);
    // The first attempt (cursor 0) takes the window's last slot, without a claim.
    const first = await store.appendMessage(conversation, { sender: ann, text: 'edge', clientMsgId: 'edge', cursor: 0 }, now());
    expect(first.message.seq).toBe(CURSOR_WINDOW);
    let current = (await store.get(conversation.id))!;
    for (let i = 0; i < 3; i++) {
      await store.appendMessage(current, { sender: bob, text: `after${i}`, clientMsgId: `after${i}`, cursor: current.lastSeq }, now());
      current = (await store.get(conversation.id))!;
    }
    const resend = await store.appendMessage(current, { sender: ann, text: 'edge', clientMsgId: 'edge', cursor: 0 }, now());
    expect(resend).toEqual({ message: first.message, duplicate: true, resumed: false });
    const messages = await stored(conversation.id);
    expect(messages.filter((message) => message.clientMsgId === 'edge')).toHaveLength(1);
    expect(messages.map((message) => message.seq)).toEqual(Array.from({ length: CURSOR_WINDOW + 3 }, (_, i) => i + 1));
  });

  it('a first attempt whose window filled while its put was held finds the copy its resend placed by claim', async () => {
    const conversation = await withMessages(CURSOR_WINDOW - 1);
    // The first attempt read the window and is about to put at its last slot.
    const slow = hold(slotPut('race'));
    const first = store.appendMessage(conversation, { sender: ann, text: 'race', clientMsgId: 'race', cursor: 0 }, now());
    await slow.reached;
    // Bob fills the window's last slot and one more; the resend (same cursor) finds the window full.
    let current = conversation;
    for (let i = 0; i < 2; i++) {
      await store.appendMessage(current, { sender: bob, text: `fill${i}`, clientMsgId: `fill${i}`, cursor: current.lastSeq }, now());
      current = (await store.get(conversation.id))!;
    }
    const resend = await store.appendMessage(current, { sender: ann, text: 'race', clientMsgId: 'race', cursor: 0 }, now());
    expect(resend).toMatchObject({ duplicate: false, message: { seq: CURSOR_WINDOW + 2 } });
    slow.release();
    expect(await first).toMatchObject({ duplicate: true, message: resend.message });
    const messages = await stored(conversation.id);
    expect(messages.filter((message) => message.clientMsgId === 'race')).toHaveLength(1);
    expect(messages.map((message) => message.seq)).toEqual(Array.from({ length: CURSOR_WINDOW + 2 }, (_, i) => i + 1));
    expect((await store.get(conversation.id))?.lastSeq).toBe(CURSOR_WINDOW + 2);
  });

  it('numbers racing sends and resends whose window fills during the race 1..N, each send once', async () => {
    const conversation = await withMessages(CURSOR_WINDOW - 4);
    // 9 sends, each twice, all with cursor 0: the first few fit in the window, the rest take claims.
    const sends = Array.from({ length: 18 }, (_, i) => ({
      sender: i % 3 === 0 ? bob : ann,
      text: `w${i}`,
      clientMsgId: `w${i % 9}`,
      cursor: 0,
    }));
    const results = await Promise.all(sends.map((draft) => store.appendMessage(conversation, draft, now())));
    const messages = await stored(conversation.id);
    expect(messages.map((message) => message.seq)).toEqual(Array.from({ length: messages.length }, (_, i) => i + 1));
    const racing = messages.filter((message) => message.clientMsgId?.startsWith('w'));
    const sendsStored = racing.map((message) => `${message.sender.id}/${message.clientMsgId}`);
    expect(new Set(sendsStored).size).toBe(sendsStored.length);
    expect(new Set(sends.map((draft) => `${draft.sender.id}/${draft.clientMsgId}`)).size).toBe(sendsStored.length);
    for (const result of results) expect(messages).toContainEqual(result.message);
    expect((await store.get(conversation.id))?.lastSeq).toBe(messages.length);
  });
});
