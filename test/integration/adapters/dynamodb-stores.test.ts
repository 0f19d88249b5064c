import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoConnectionStore } from '../../../functions/adapters/dynamodb/connection-store';
import { DynamoConversationStore } from '../../../functions/adapters/dynamodb/conversation-store';
import { ulidGenerator } from '../../../functions/adapters/system/clock';
import type { Conversation } from '../../../functions/domain/conversation';
import { ensureTable, localDynamoClient, startDynalite, type DynaliteServer } from '../../../local/dynamodb/dynalite-server';

let server: DynaliteServer;
let store: DynamoConversationStore;
let connections: DynamoConnectionStore;
let documents: DynamoDBDocumentClient;
const ids = ulidGenerator();
const now = () => new Date().toISOString();
const sender = { id: 'guest:a', role: 'customer' as const, name: 'Ann' };

beforeAll(async () => {
  server = await startDynalite({ port: 0 });
  const client = localDynamoClient(server.endpoint);
  await ensureTable(client, 'parley-test');
  documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  store = new DynamoConversationStore(documents, 'parley-test', ids);
  connections = new DynamoConnectionStore(documents, 'parley-test');
});

afterAll(async () => {
  await server?.close();
});

async function newConversation(customerId = `guest:${ids.next()}`): Promise<Conversation> {
  const { conversation } = await store.openFor({ id: ids.next(), customer: { id: customerId, name: 'Ann' }, skill: 'billing', now: now() });
  return conversation;
}

describe('DynamoConversationStore on dynalite', () => {
  it('reads many conversations in batches of at most 100, leaving unknown ids out', async () => {
    const created = [];
    for (let i = 0; i < 105; i++) created.push(await newConversation());
    const wanted = [...created.map((conversation) => conversation.id), 'NOPE-unknown', created[0]!.id];
    const found = await store.getMany(wanted);
    expect(found.map((conversation) => conversation.id).sort()).toEqual(created.map((conversation) => conversation.id).sort());
    expect(found[0]).toEqual(await store.get(found[0]!.id));
    expect(await store.getMany([])).toEqual([]);
  });

  it('keeps one open conversation per customer, even when opened concurrently', async () => {
    const customerId = `guest:${ids.next()}`;
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        store.openFor({ id: ids.next(), customer: { id: customerId, name: 'Ann' }, skill: 'billing', now: now() }),
      ),
    );
    const distinct = new Set(results.map((result) => result.conversation.id));
    expect(distinct.size).toBe(1);
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect((await store.findOpen(customerId))?.id).toBe([...distinct][0]);
  });

  it('opens a new conversation after the open one is closed', async () => {
    const first = await newConversation('guest:reopen');
    await store.close(first.id, { id: 'guest:reopen', role: 'customer' }, now());
    expect(await store.findOpen('guest:reopen')).toBeUndefined();
    const second = await newConversation('guest:reopen');
    expect(second.id).not.toBe(first.id);
    expect(second.status).toBe('queued');
  });

  it("stores a start's first message with the conversation: seq 1, its clientMsgId claimed, lastSeq 1", async () => {
    const customerId = `guest:${ids.next()}`;
    const first = {
      messageId: ids.next(),
      clientMsgId: 'c-1',
      sender: { id: customerId, role: 'customer' as const, name: 'Ann' },
      text: 'Hello',
    };
    const at = now();
    const opened = await store.openFor({
      id: ids.next(),
      customer: { id: customerId, name: 'Ann' },
      skill: 'billing',
      now: at,
      firstMessage: first,
    });
    expect(opened.created).toBe(true);
    expect(opened.firstMessage).toMatchObject({ seq: 1, messageId: first.messageId, clientMsgId: 'c-1', text: 'Hello', ts: at });
    const stored = await store.get(opened.conversation.id);
    expect(stored).toMatchObject({ lastSeq: 1, lastCustomerSeq: 1, lastCustomerAt: at, updatedAt: at, status: 'queued' });
    expect((await store.listMessages(opened.conversation.id, 0, 10)).messages).toEqual([opened.firstMessage]);
    // A resend of the start's clientMsgId is a duplicate of message 1; the next message is 2.
    const again = await store.appendMessage(stored!, { sender: first.sender, text: 'Hello', clientMsgId: 'c-1' }, now());
    expect(again).toMatchObject({ duplicate: true, resumed: false, message: { seq: 1, messageId: first.messageId } });
    const next = await store.appendMessage(stored!, { sender: first.sender, text: 'More', clientMsgId: 'c-2' }, now());
    expect(next.message.seq).toBe(2);
    // A second start while it is open returns it as it is, without storing its text.
    const reopened = await store.openFor({
      id: ids.next(),
      customer: { id: customerId, name: 'Ann' },
      skill: 'billing',
      now: now(),
      firstMessage: { ...first, messageId: ids.next(), clientMsgId: 'c-3', text: 'Other' },
    });
    expect(reopened).toMatchObject({ created: false, conversation: { id: opened.conversation.id, lastSeq: 2 } });
    expect(reopened.firstMessage).toBeUndefined();
    expect((await store.listMessages(opened.conversation.id, 0, 10)).messages.map((message) => message.text)).toEqual(['Hello', 'More']);
  });

  it('keeps every message when starts with text race each other and messages', async () => {
    const customerId = `guest:${ids.next()}`;
    const customer = { id: customerId, role: 'customer' as const, name: 'Ann' };
    const starts = Array.from({ length: 6 }, (_, i) =>
      store.openFor({
        id: ids.next(),
        customer: { id: customerId, name: 'Ann' },
        skill: 'billing',
        now: now(),
        firstMessage: { messageId: ids.next(), clientMsgId: `s-${i}`, sender: customer, text: `start ${i}` },
      }),
    );
    // Each start that found the conversation open appends its own text, as the start action does.
    const results = await Promise.all(
      starts.map(async (opening, i) => {
        const opened = await opening;
        if (opened.firstMessage) return opened.firstMessage;
        return (await store.appendMessage(opened.conversation, { sender: customer, text: `start ${i}`, clientMsgId: `s-${i}` }, now()))
          .message;
      }),
    );
    const conversationIds = new Set(results.map((message) => message.conversationId));
    expect(conversationIds.size).toBe(1);
    const conversationId = [...conversationIds][0]!;
    const page = await store.listMessages(conversationId, 0, 20);
    expect(page.messages.map((message) => message.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(page.messages.map((message) => message.text).sort()).toEqual(results.map((message) => message.text).sort());
    expect((await store.get(conversationId))?.lastSeq).toBe(6);
  });

  it('repairs a start that stopped after its OPEN pointer: the conversation and its first message from the pointer', async () => {
    const customerId = `guest:${ids.next()}`;
    const id = ids.next();
    const at = now();
    const first = {
      messageId: ids.next(),
      clientMsgId: 'c-1',
      sender: { id: customerId, role: 'customer' as const, name: 'Ann' },
      text: 'Hello',
    };
    // What the start had written when it stopped: only the pointer.
    await documents.send(
      new PutCommand({
        TableName: 'parley-test',
        Item: {
          pk: `USER#${customerId}`,
          sk: 'OPEN',
          kind: 'open-pointer',
          candidate: { id, customer: { id: customerId, name: 'Ann' }, skill: 'billing', now: at, firstMessage: first },
        },
      }),
    );
    const open = await store.findOpen(customerId);
    expect(open).toMatchObject({ id, lastSeq: 1, lastCustomerSeq: 1 });
    expect((await store.listMessages(id, 0, 10)).messages).toMatchObject([{ seq: 1, messageId: first.messageId, text: 'Hello', ts: at }]);
    // The retried start meets its claim and finds message 1: nothing stored twice.
    const retried = await store.openFor({
      id: ids.next(),
      customer: { id: customerId, name: 'Ann' },
      skill: 'billing',
      now: now(),
      firstMessage: { ...first, messageId: ids.next() },
    });
    expect(retried).toMatchObject({ created: false, conversation: { id } });
    const resent = await store.appendMessage(retried.conversation, { sender: first.sender, text: 'Hello', clientMsgId: 'c-1' }, now());
    expect(resent).toMatchObject({ duplicate: true, message: { seq: 1, messageId: first.messageId } });
    expect((await store.listMessages(id, 0, 10)).messages).toHaveLength(1);
  });

  it('closes in one write only for a participant (or anyone, a supervisor), answering the state before and after', async () => {
    const customerId = `guest:${ids.next()}`;
    const queued = await newConversation(customerId);
    const at = now();
    // Someone else: nothing stored.
    expect(await store.closeAsParticipant(queued.id, { id: 'agent-x', role: 'agent' }, at, 'agent-x')).toBeUndefined();
    expect(await store.get(queued.id)).toEqual(queued);
    const closed = await store.closeAsParticipant(queued.id, { id: customerId, role: 'customer' }, at, customerId);
    expect(closed?.before).toEqual(queued);
    // The answer is what is stored now, and the open pointer went with it.
    expect(closed?.closed).toEqual(await store.get(queued.id));
    expect(closed?.closed).toMatchObject({ status: 'closed', closedAt: at, closedBy: { id: customerId, role: 'customer' }, epoch: 1 });
    expect(await store.findOpen(customerId)).toBeUndefined();
    // Closed already, or unknown: undefined.
    expect(await store.closeAsParticipant(queued.id, { id: customerId, role: 'customer' }, now(), customerId)).toBeUndefined();
    expect(await store.closeAsParticipant(`NOPE${ids.next()}`, { id: 'sup', role: 'supervisor' }, now(), undefined)).toBeUndefined();
    // The assigned agent, and a supervisor (no participant check), may close.
    const assigned = await newConversation();
    const taken = await store.assign(assigned.id, { id: 'agent-a', name: 'A' }, now());
    const byAgent = await store.closeAsParticipant(assigned.id, { id: 'agent-a', role: 'agent' }, now(), 'agent-a');
    expect(byAgent?.before).toEqual(taken);
    expect(byAgent?.closed).toEqual(await store.get(assigned.id));
    const other = await newConversation();
    expect((await store.closeAsParticipant(other.id, { id: 'sup', role: 'supervisor' }, now(), undefined))?.closed.status).toBe('closed');
  });

  it('transfers to a queue in one write only for the assigned agent (or a supervisor), answering the state before and after', async () => {
    const conversation = await newConversation();
    const taken = await store.assign(conversation.id, { id: 'agent-a', name: 'A' }, now());
    // Another agent: nothing stored.
    expect(await store.transferToQueue(conversation.id, 'billing', now(), 'agent-x')).toBeUndefined();
    expect(await store.get(conversation.id)).toEqual(taken);
    const skill = `skill-${ids.next().toLowerCase()}`;
    const at = now();
    const byAgent = await store.transferToQueue(conversation.id, skill, at, 'agent-a');
    expect(byAgent?.before).toEqual(taken);
    // The answer derived from the item before is what is stored now: queued in the new skill, no agent, the epoch one on.
    expect(byAgent?.moved).toEqual(await store.get(conversation.id));
    expect(byAgent?.moved).toMatchObject({ status: 'queued', skill, queuedAt: at, epoch: (taken?.epoch ?? 0) + 1 });
    expect(byAgent?.moved.agent).toBeUndefined();
    expect((await store.listQueued(skill, 10)).map((queued) => queued.id)).toEqual([conversation.id]);
    // Queued now, so not the agent's any more; a supervisor moves it on (from queued too).
    expect(await store.transferToQueue(conversation.id, 'billing', now(), 'agent-a')).toBeUndefined();
    const bySupervisor = await store.transferToQueue(conversation.id, 'billing', now(), undefined);
    expect(bySupervisor?.before).toEqual(byAgent?.moved);
    expect(bySupervisor?.moved).toEqual(await store.get(conversation.id));
    expect(await store.listQueued(skill, 10)).toEqual([]);
    // Closed, or unknown: undefined, nothing stored.
    const closed = await store.close(conversation.id, { id: 'sup', role: 'supervisor' }, now());
    expect(await store.transferToQueue(conversation.id, 'billing', now(), undefined)).toBeUndefined();
    expect(await store.get(conversation.id)).toEqual(closed);
    expect(await store.transferToQueue(`NOPE${ids.next()}`, 'billing', now(), undefined)).toBeUndefined();
  });

  it('numbers concurrent messages 1..N with no gaps or repeats', async () => {
    const conversation = await newConversation();
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => store.appendMessage(conversation, { sender, text: `m${i}`, clientMsgId: `c${i}` }, now())),
    );
    const seqs = results.map((result) => result.message.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const page = await store.listMessages(conversation.id, 0, 100);
    expect(page.messages.map((message) => message.seq)).toEqual(seqs);
    expect(page.more).toBe(false);
    expect((await store.get(conversation.id))?.lastSeq).toBe(30);
  });

  it('stores a clientMsgId once, even when the same send races itself', async () => {
    const conversation = await newConversation();
    const results = await Promise.all(
      Array.from({ length: 6 }, () => store.appendMessage(conversation, { sender, text: 'once', clientMsgId: 'same' }, now())),
    );
    expect(new Set(results.map((result) => result.message.seq))).toEqual(new Set([1]));
    expect(new Set(results.map((result) => result.message.messageId)).size).toBe(1);
    const page = await store.listMessages(conversation.id, 0, 10);
    expect(page.messages).toHaveLength(1);
    // A later resend is a duplicate that returns the original.
    const again = await store.appendMessage(conversation, { sender, text: 'once', clientMsgId: 'same' }, now());
    expect(again).toMatchObject({ duplicate: true, message: { seq: 1, messageId: results[0]!.message.messageId } });
  });

  it('resumes from a stale lastSeq without overwriting (a writer that crashed before updating lastSeq)', async () => {
    const conversation = await newConversation();
    await store.appendMessage(conversation, { sender, text: 'one', clientMsgId: 'a' }, now());
    await store.appendMessage(conversation, { sender, text: 'two', clientMsgId: 'b' }, now());
    // `conversation` still says lastSeq 0: the append must walk past the taken slots.
    const third = await store.appendMessage(conversation, { sender, text: 'three', clientMsgId: 'c' }, now());
    expect(third.message.seq).toBe(3);
    const page = await store.listMessages(conversation.id, 1, 10);
    expect(page.messages.map((message) => message.text)).toEqual(['two', 'three']);
  });

  it('pages history with `more`', async () => {
    const conversation = await newConversation();
    for (let i = 0; i < 5; i++) await store.appendMessage(conversation, { sender, text: `m${i}` }, now());
    const first = await store.listMessages(conversation.id, 0, 2);
    expect(first.messages.map((message) => message.seq)).toEqual([1, 2]);
    expect(first.more).toBe(true);
    const last = await store.listMessages(conversation.id, 4, 2);
    expect(last.messages.map((message) => message.seq)).toEqual([5]);
    expect(last.more).toBe(false);
  });

  it('assigns a queued conversation exactly once', async () => {
    const conversation = await newConversation();
    const outcomes = await Promise.all(
      ['agent-1', 'agent-2', 'agent-3'].map((id) => store.assign(conversation.id, { id, name: id }, now())),
    );
    expect(outcomes.filter((outcome) => outcome !== undefined)).toHaveLength(1);
    const stored = await store.get(conversation.id);
    expect(stored?.status).toBe('assigned');
    expect(await store.listQueued('billing', 100)).not.toContainEqual(expect.objectContaining({ id: conversation.id }));
  });

  it('lists the queue longest-waiting first and counts who is ahead', async () => {
    const skill = `s${Date.now() % 100000}`;
    const made: Conversation[] = [];
    for (let i = 0; i < 3; i++) {
      const { conversation } = await store.openFor({
        id: ids.next(),
        customer: { id: `guest:${ids.next()}`, name: 'Q' },
        skill,
        now: new Date(Date.now() + i).toISOString(),
      });
      made.push(conversation);
    }
    expect((await store.listQueued(skill, 10)).map((c) => c.id)).toEqual(made.map((c) => c.id));
    expect(await store.countAhead(made[2]!)).toBe(2);
    expect(await store.countAhead(made[0]!)).toBe(0);
  });

  it('moves read cursors forward only', async () => {
    const conversation = await newConversation();
    expect(await store.advanceReadCursor(conversation.id, 'u', 3)).toBe(true);
    expect(await store.advanceReadCursor(conversation.id, 'u', 2)).toBe(false);
    expect(await store.getReadCursor(conversation.id, 'u')).toBe(3);
  });
});

describe('DynamoConnectionStore on dynalite', () => {
  it('lists a user’s live connections and skips expired ones', async () => {
    const nowSeconds = Math.floor(Date.now() / 1000);
    await connections.put({ connectionId: 'c1', userId: 'u1', role: 'customer', connectedAt: now(), expiresAt: nowSeconds + 100 });
    await connections.put({ connectionId: 'c2', userId: 'u1', role: 'customer', connectedAt: now(), expiresAt: nowSeconds - 1 });
    await connections.put({ connectionId: 'c3', userId: 'u2', role: 'customer', connectedAt: now(), expiresAt: nowSeconds + 100 });
    expect((await connections.listForUser('u1', nowSeconds)).map((c) => c.connectionId)).toEqual(['c1']);
    await connections.remove('u1', 'c1');
    expect(await connections.listForUser('u1', nowSeconds)).toEqual([]);
  });
});
