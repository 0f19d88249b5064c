import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { sideOf } from '../../domain/abandonment';
import type { Conversation, Participant, Rating } from '../../domain/conversation';
import { SYSTEM_SENDER } from '../../domain/identity';
import type { Message, MessageDraft } from '../../domain/message';
import type { IdGenerator } from '../../ports/clock';
import type {
  AppendResult,
  ConversationStore,
  CustomerConversationPage,
  MessagePage,
  NewConversation,
  Opened,
  QueuedPage,
  RequeueOptions,
} from '../../ports/conversation-store';
import { DynamoStoreError, conditionalWrite, dynamo, isConditionFailure } from './errors';
import {
  AGENT_SORT_CLOSED,
  AGENT_SORT_OPEN,
  agentClosedSort,
  agentOpenSort,
  conversationToItem,
  itemToConversation,
  messageToItem,
  statusKeysOf,
  statusShardKey,
} from './conversation-items';
import { keys } from './keys';
import { batchGetItems, readConversationItems } from './conversation-reads';
import { MessageLog } from './message-log';
import { INDEXES } from './table-schema';

type Item = Record<string, unknown>;
const OPEN_ATTEMPTS = 4;
const BATCH_WRITE_ATTEMPTS = 5;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The agent's message `:agentSeq` is its last, and the customer has written nothing after it. */
const AGENT_WAITS = 'lastAgentSeq = :agentSeq AND (attribute_not_exists(lastCustomerSeq) OR lastCustomerSeq < :agentSeq)';

/** A conditional update of a conversation item (DynamoConversationStore.transition). */
interface Transition {
  set: Item;
  remove?: string[];
  condition: string;
  values?: Item;
  names?: Record<string, string>;
  /** A routing transition: bump the epoch (domain/routing-claims.ts). */
  bump?: boolean;
  /** Attributes set only when the item has none yet. */
  setIfAbsent?: Item;
}

/** What a requeue sets and removes: the conversation waits in `skill`'s queue from `queuedAt`, with no agent. */
function requeueing(conversationId: string, skill: string, queuedAt: string, now: string): Pick<Transition, 'set' | 'remove' | 'bump'> {
  return {
    bump: true,
    set: {
      status: 'queued',
      statusKey: statusShardKey('queued', conversationId),
      skill,
      queuedAt,
      queueKey: skill,
      queueSort: `${queuedAt}#${conversationId}`,
      updatedAt: now,
    },
    remove: ['agentId', 'agentName', 'agentKey', 'agentSort', 'assignedAt', 'noAgentNoticeAt'],
  };
}

/** A routing transition: moves the epoch one step, optionally only from a known epoch. */
function epochStep(fromEpoch: number | undefined): { condition: string; values: Item } {
  if (fromEpoch === undefined) return { condition: '', values: {} };
  return {
    // Items written before epochs existed have none: that is epoch 0.
    condition: fromEpoch === 0 ? ' AND (attribute_not_exists(#epoch) OR #epoch = :fromEpoch)' : ' AND #epoch = :fromEpoch',
    values: { ':fromEpoch': fromEpoch },
  };
}

/** The candidate's first message as stored: seq 1, sent when the candidate was made. */
function firstMessageOf(candidate: NewConversation): Message | undefined {
  const first = candidate.firstMessage;
  if (!first) return undefined;
  return {
    conversationId: candidate.id,
    seq: 1,
    messageId: first.messageId,
    clientMsgId: first.clientMsgId,
    sender: first.sender,
    text: first.text,
    ts: candidate.now,
  };
}

/**
 * The conversation a candidate (also the open pointer's copy) creates: queued, or `bot` when a
 * bot answers first. With a first message it starts at lastSeq 1, as the message log's
 * lastSeq update would leave it (and who spoke last on the message's side).
 */
function fromCandidate(candidate: NewConversation): Conversation {
  const status = candidate.status ?? 'queued';
  const first = firstMessageOf(candidate);
  const side = first ? sideOf(first.sender.role) : undefined;
  return {
    id: candidate.id,
    status,
    customer: candidate.customer,
    skill: candidate.skill,
    lastSeq: first ? 1 : 0,
    createdAt: candidate.now,
    updatedAt: candidate.now,
    ...(status === 'queued' ? { queuedAt: candidate.now } : {}),
    ...(candidate.locale ? { locale: candidate.locale } : {}),
    ...(candidate.visitor && Object.keys(candidate.visitor).length > 0 ? { visitor: candidate.visitor } : {}),
    ...(candidate.attrs && Object.keys(candidate.attrs).length > 0 ? { attrs: candidate.attrs } : {}),
    ...(side === 'customer' ? { lastCustomerSeq: 1, lastCustomerAt: candidate.now } : {}),
    ...(side === 'agent' ? { lastAgentSeq: 1, lastAgentAt: candidate.now } : {}),
  };
}

export class DynamoConversationStore implements ConversationStore {
  private readonly messages: MessageLog;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    ids: IdGenerator,
  ) {
    this.messages = new MessageLog(db, tableName, ids);
  }

  async get(conversationId: string): Promise<Conversation | undefined> {
    const result = await dynamo('GetItem', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.conversation(conversationId), ConsistentRead: true })),
    );
    return result.Item ? itemToConversation(result.Item) : undefined;
  }

  async getMany(conversationIds: readonly string[]): Promise<Conversation[]> {
    const items = await readConversationItems(
      this.db,
      this.tableName,
      conversationIds.map((id) => keys.conversation(id)),
    );
    return items.map(itemToConversation);
  }

  /** The conversations behind an index page, in its order. */
  private async hydrate(indexItems: readonly Item[]): Promise<Conversation[]> {
    return (await readConversationItems(this.db, this.tableName, indexItems)).map(itemToConversation);
  }

  async findOpen(customerId: string): Promise<Conversation | undefined> {
    const pointer = await this.getOpenPointer(customerId);
    if (!pointer) return undefined;
    const conversation = (await this.get(pointer.id)) ?? (await this.createFromPointer(pointer));
    return conversation.status === 'closed' ? undefined : conversation;
  }

  /**
   * The OPEN pointer makes "one open conversation per customer" a single-item condition.
   * It is written before the conversation item and holds everything needed to create it (the
   * start's first message too), so a crash between the writes is repaired by whoever reads
   * the pointer next. A start with text on a new conversation costs 3 requests: the pointer,
   * the first message with its clientMsgId claim (one BatchWriteItem), the conversation.
   */
  async openFor(candidate: NewConversation): Promise<Opened> {
    // A start usually finds no open conversation (clients send `start` when they have none):
    // claim the pointer first and read it only when that fails, one request fewer.
    if (await this.putOpenPointer(candidate, undefined)) return this.created(candidate);
    for (let attempt = 0; attempt < OPEN_ATTEMPTS; attempt++) {
      const pointer = await this.getOpenPointer(candidate.customer.id);
      if (pointer) {
        const existing = (await this.get(pointer.id)) ?? (await this.createFromPointer(pointer));
        if (existing.status !== 'closed') return { conversation: existing, created: false };
      }
      if (!(await this.putOpenPointer(candidate, pointer))) continue;
      return this.created(candidate);
    }
    throw new DynamoStoreError('Could not open a conversation: too much contention on the customer');
  }

  private async created(candidate: NewConversation): Promise<Opened> {
    const conversation = await this.createFromPointer(candidate);
    const firstMessage = firstMessageOf(candidate);
    return { conversation, created: true, ...(firstMessage ? { firstMessage } : {}) };
  }

  /**
   * Creates the conversation a pointer holds: its first message (if any) before the
   * conversation item, so the item's lastSeq never runs ahead of the messages stored.
   */
  private async createFromPointer(candidate: NewConversation): Promise<Conversation> {
    const first = firstMessageOf(candidate);
    if (first) await this.putFirstMessage(first, candidate.now);
    return this.createMeta(fromCandidate(candidate));
  }

  /**
   * Message 1 and its clientMsgId claim (as MessageLog writes them: a claim at floor 0), in one
   * unconditional BatchWriteItem. Safe without conditions: every conversation item made from
   * this pointer starts at lastSeq 1, and other writers place messages above lastSeq, so only
   * this pointer's holders (the start, a retry, a repair) write these two items, each time
   * with the same content. A resend of the clientMsgId then meets the claim and finds message 1.
   */
  private async putFirstMessage(message: Message, now: string): Promise<void> {
    const sender = message.sender.id;
    let pending: Item[] = [
      { PutRequest: { Item: messageToItem(message) } },
      {
        PutRequest: {
          Item: {
            ...keys.clientMessage(message.conversationId, sender, message.clientMsgId ?? ''),
            kind: 'client-message',
            messageId: message.messageId,
            floor: 0,
            createdAt: now,
          },
        },
      },
    ];
    // BatchWriteItem may leave part of the batch unprocessed (throttling): send the rest again, backing off.
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt === BATCH_WRITE_ATTEMPTS) throw new DynamoStoreError('DynamoDB BatchWriteItem left the first message unprocessed');
      if (attempt > 0) await pause(50 * 2 ** attempt);
      const result = await dynamo('BatchWriteItem', () =>
        this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } })),
      );
      pending = (result.UnprocessedItems?.[this.tableName] ?? []) as Item[];
    }
  }

  /** Writes the candidate's OPEN pointer where there is none (or only `stale`, a closed one's); false when that changed. */
  private async putOpenPointer(candidate: NewConversation, stale: NewConversation | undefined): Promise<boolean> {
    try {
      await dynamo('PutItem', () =>
        this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...keys.openPointer(candidate.customer.id), kind: 'open-pointer', candidate },
            ...(stale
              ? { ConditionExpression: 'candidate.id = :stale', ExpressionAttributeValues: { ':stale': stale.id } }
              : { ConditionExpression: 'attribute_not_exists(pk)' }),
          }),
        ),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  private async getOpenPointer(customerId: string): Promise<NewConversation | undefined> {
    const result = await dynamo('GetItem', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.openPointer(customerId), ConsistentRead: true })),
    );
    return (result.Item?.candidate as NewConversation | undefined) ?? undefined;
  }

  private async createMeta(conversation: Conversation): Promise<Conversation> {
    try {
      await dynamo('PutItem', () =>
        this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: conversationToItem(conversation),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      return conversation;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.get(conversation.id);
      if (!existing) throw new DynamoStoreError(`Conversation ${conversation.id} vanished after a conflict`);
      return existing;
    }
  }

  listForCustomer(customerId: string, limit: number): Promise<Conversation[]> {
    return this.queryIndex(INDEXES.byCustomer, customerId, limit, false);
  }

  async pageForCustomer(customerId: string, limit: number, before?: string): Promise<CustomerConversationPage> {
    // customerSort is the conversation id (time-ordered ULIDs): `before` is the oldest id already shown.
    const result = await dynamo('Query', () =>
      this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: INDEXES.byCustomer.indexName,
          KeyConditionExpression: before ? '#key = :value AND #sort < :before' : '#key = :value',
          ExpressionAttributeNames: { '#key': INDEXES.byCustomer.partitionKey, ...(before ? { '#sort': INDEXES.byCustomer.sortKey } : {}) },
          ExpressionAttributeValues: { ':value': customerId, ...(before ? { ':before': before } : {}) },
          ScanIndexForward: false,
          // One more than asked tells whether an older page follows.
          Limit: limit + 1,
        }),
      ),
    );
    const listed = result.Items ?? [];
    const shown = listed.slice(0, limit);
    const conversations = await this.hydrate(shown);
    const last = shown.at(-1)?.[INDEXES.byCustomer.sortKey];
    return { conversations, ...(listed.length > limit && typeof last === 'string' ? { next: last } : {}) };
  }

  listForAgent(agentId: string, limit: number): Promise<Conversation[]> {
    // Descending: open conversations (O#) first, then the most recently closed (C#).
    return this.queryIndex(INDEXES.byAgent, agentId, limit, false);
  }

  async listByStatus(status: Conversation['status'], limit: number): Promise<Conversation[]> {
    // Every shard's newest, merged: the sort key is the conversation id (time-ordered).
    const shards = await Promise.all(statusKeysOf(status).map((key) => this.queryIndex(INDEXES.byStatus, key, limit, false)));
    return shards
      .flat()
      .sort((a, b) => b.id.localeCompare(a.id))
      .slice(0, limit);
  }

  async listAssignedTo(agentId: string): Promise<Conversation[]> {
    // Only the agent's open conversations (O#), never its closed history; and any assigned
    // before the O#/C# sort keys, whose sort key is `<assignedAt>#<id>` (a date sorts before
    // `C#`; byAgent projects `status`, so only assigned ones are hydrated). Empty once every
    // conversation assigned before the change has closed.
    const [open, legacy] = await Promise.all([
      this.queryAll(INDEXES.byAgent, agentId, { beginsWith: AGENT_SORT_OPEN }),
      this.queryAll(INDEXES.byAgent, agentId, {
        sortBefore: AGENT_SORT_CLOSED,
        filter: { expression: '#status = :assigned', names: { '#status': 'status' }, values: { ':assigned': 'assigned' } },
      }),
    ]);
    const byId = new Map([...open, ...legacy].map((conversation) => [conversation.id, conversation]));
    return [...byId.values()].filter((conversation) => conversation.status === 'assigned' && conversation.agent?.id === agentId);
  }

  async listAllAssigned(): Promise<Conversation[]> {
    return this.listAllIn('assigned');
  }

  /** Every conversation in a status, from every byStatus partition it may be in (index lag filtered out). */
  private async listAllIn(status: Conversation['status']): Promise<Conversation[]> {
    const shards = await Promise.all(statusKeysOf(status).map((key) => this.queryAll(INDEXES.byStatus, key)));
    return shards.flat().filter((conversation) => conversation.status === status);
  }

  countQueued(skill: string): Promise<number> {
    return this.countInQueue(skill);
  }

  /** Conversations waiting in a skill's queue, all of them or those ahead of `beforeSort`. */
  private async countInQueue(skill: string, beforeSort?: string): Promise<number> {
    let count = 0;
    let startKey: Item | undefined;
    do {
      const page = await dynamo('Query', () =>
        this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: INDEXES.queue.indexName,
            KeyConditionExpression: beforeSort === undefined ? '#key = :skill' : '#key = :skill AND #sort < :before',
            ExpressionAttributeNames: {
              '#key': INDEXES.queue.partitionKey,
              ...(beforeSort === undefined ? {} : { '#sort': INDEXES.queue.sortKey }),
            },
            ExpressionAttributeValues: { ':skill': skill, ...(beforeSort === undefined ? {} : { ':before': beforeSort }) },
            Select: 'COUNT',
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      count += page.Count ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return count;
  }

  /** Every item of an index partition (or of its sort keys beginning with `beginsWith`), page by page, optionally filtered. */
  private async queryAll(
    index: { indexName: string; partitionKey: string; sortKey: string },
    value: string,
    options: {
      beginsWith?: string;
      /** Only sort keys below this one. */
      sortBefore?: string;
      filter?: { expression: string; names: Record<string, string>; values: Item };
    } = {},
  ): Promise<Conversation[]> {
    const { beginsWith, sortBefore, filter } = options;
    const sortCondition =
      beginsWith !== undefined
        ? { expression: ' AND begins_with(#sort, :sort)', value: beginsWith }
        : sortBefore !== undefined
          ? { expression: ' AND #sort < :sort', value: sortBefore }
          : undefined;
    const out: Conversation[] = [];
    let startKey: Item | undefined;
    do {
      const page = await dynamo('Query', () =>
        this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: index.indexName,
            KeyConditionExpression: `#key = :value${sortCondition?.expression ?? ''}`,
            ExpressionAttributeNames: {
              '#key': index.partitionKey,
              ...(sortCondition ? { '#sort': index.sortKey } : {}),
              ...filter?.names,
            },
            ExpressionAttributeValues: {
              ':value': value,
              ...(sortCondition ? { ':sort': sortCondition.value } : {}),
              ...filter?.values,
            },
            ...(filter ? { FilterExpression: filter.expression } : {}),
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      out.push(...(await this.hydrate(page.Items ?? [])));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return out;
  }

  /**
   * One Query: the queue index holds what its readers use of a waiting conversation (table-schema.ts
   * INDEX_PROJECTIONS), not what a message changes: a listed entry's lastSeq reads 0 and its
   * updatedAt is its queuedAt. Read the conversation for those.
   */
  async listQueued(skill: string, limit: number): Promise<Conversation[]> {
    return (await this.listQueuedPage(skill, limit)).conversations;
  }

  async listQueuedPage(skill: string, limit: number): Promise<QueuedPage> {
    const items = await this.queryIndexItems(INDEXES.queue, skill, limit, true);
    // The queue index holds no per-message attribute (table-schema.ts INDEX_PROJECTIONS): updatedAt reads as queuedAt.
    const conversations = items.map((item) => itemToConversation({ ...item, updatedAt: item.updatedAt ?? item.queuedAt }));
    // The index is eventually consistent: drop anything already moved on (after counting the page).
    return { conversations: conversations.filter((conversation) => conversation.status === 'queued'), more: items.length >= limit };
  }

  async countAhead(conversation: Conversation): Promise<number> {
    if (!conversation.queuedAt) return 0;
    return this.countInQueue(conversation.skill, `${conversation.queuedAt}#${conversation.id}`);
  }

  /** A page of a KEYS_ONLY index, read as the conversations it lists. */
  private async queryIndex(
    index: { indexName: string; partitionKey: string },
    value: string,
    limit: number,
    ascending: boolean,
  ): Promise<Conversation[]> {
    return this.hydrate(await this.queryIndexItems(index, value, limit, ascending));
  }

  private async queryIndexItems(
    index: { indexName: string; partitionKey: string },
    value: string,
    limit: number,
    ascending: boolean,
  ): Promise<Item[]> {
    const result = await dynamo('Query', () =>
      this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: index.indexName,
          KeyConditionExpression: '#key = :value',
          ExpressionAttributeNames: { '#key': index.partitionKey },
          ExpressionAttributeValues: { ':value': value },
          ScanIndexForward: ascending,
          Limit: limit,
        }),
      ),
    );
    return result.Items ?? [];
  }

  /** A conditional update returning the new item, or undefined when the condition failed. */
  private async transition(conversationId: string, update: Transition): Promise<Conversation | undefined> {
    const attributes = await this.conditionalUpdate(conversationId, update, 'ALL_NEW');
    return attributes ? itemToConversation(attributes) : undefined;
  }

  /**
   * The same conditional update returning the item as it was (ALL_OLD) and as it is now, the
   * latter derived from the former by the update's own sets, removes and epoch step: a caller
   * that did not read the item first learns the state it moved from. Undefined when the
   * condition failed (or there was no item).
   */
  private async transitionFromOld(
    conversationId: string,
    update: Transition,
  ): Promise<{ before: Conversation; after: Conversation } | undefined> {
    const old = await this.conditionalUpdate(conversationId, update, 'ALL_OLD');
    if (!old) return undefined;
    const after: Item = { ...old };
    for (const name of update.remove ?? []) delete after[name];
    for (const [name, value] of Object.entries(update.setIfAbsent ?? {})) if (after[name] === undefined) after[name] = value;
    Object.assign(after, update.set);
    if (update.bump) after.epoch = (typeof old.epoch === 'number' ? old.epoch : 0) + 1;
    return { before: itemToConversation(old), after: itemToConversation(after) };
  }

  private async conditionalUpdate(
    conversationId: string,
    update: Transition,
    returnValues: 'ALL_NEW' | 'ALL_OLD',
  ): Promise<Item | undefined> {
    const setNames = Object.keys(update.set);
    const names: Record<string, string> = { ...update.names };
    const values: Item = { ...update.values };
    const assignments = setNames.map((name, index) => {
      names[`#s${index}`] = name;
      values[`:s${index}`] = update.set[name];
      return `#s${index} = :s${index}`;
    });
    const removals = (update.remove ?? []).map((name, index) => {
      names[`#r${index}`] = name;
      return `#r${index}`;
    });
    for (const [index, [name, value]] of Object.entries(update.setIfAbsent ?? {}).entries()) {
      names[`#a${index}`] = name;
      values[`:a${index}`] = value;
      assignments.push(`#a${index} = if_not_exists(#a${index}, :a${index})`);
    }
    if (update.bump) {
      names['#epoch'] = 'epoch';
      values[':zero'] = 0;
      values[':one'] = 1;
      assignments.push('#epoch = if_not_exists(#epoch, :zero) + :one');
    }
    const expression = `SET ${assignments.join(', ')}${removals.length ? ` REMOVE ${removals.join(', ')}` : ''}`;
    try {
      const result = await dynamo('UpdateItem', () =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: keys.conversation(conversationId),
            UpdateExpression: expression,
            ConditionExpression: update.condition,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: returnValues,
          }),
        ),
      );
      return result.Attributes;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  assign(conversationId: string, agent: Participant, now: string, fromEpoch?: number): Promise<Conversation | undefined> {
    const step = epochStep(fromEpoch);
    return this.transition(conversationId, {
      bump: true,
      set: {
        status: 'assigned',
        statusKey: statusShardKey('assigned', conversationId),
        agentId: agent.id,
        agentName: agent.name,
        assignedAt: now,
        agentKey: agent.id,
        agentSort: agentOpenSort(now, conversationId),
        updatedAt: now,
      },
      setIfAbsent: { firstAssignedAt: now },
      remove: ['queueKey', 'queueSort'],
      condition: `#status = :queued${step.condition}`,
      names: { '#status': 'status', ...(fromEpoch === undefined ? {} : { '#epoch': 'epoch' }) },
      values: { ':queued': 'queued', ...step.values },
    });
  }

  reassign(
    conversationId: string,
    fromAgentId: string,
    to: Participant,
    now: string,
    fromEpoch?: number,
  ): Promise<Conversation | undefined> {
    const step = epochStep(fromEpoch);
    return this.transition(conversationId, {
      bump: true,
      set: {
        agentId: to.id,
        agentName: to.name,
        assignedAt: now,
        agentKey: to.id,
        agentSort: agentOpenSort(now, conversationId),
        updatedAt: now,
      },
      condition: `#status = :assigned AND #agent = :from${step.condition}`,
      names: { '#status': 'status', '#agent': 'agentId', ...(fromEpoch === undefined ? {} : { '#epoch': 'epoch' }) },
      values: { ':assigned': 'assigned', ':from': fromAgentId, ...step.values },
    });
  }

  requeue(
    conversationId: string,
    fromAgentId: string | null,
    skill: string,
    now: string,
    options: RequeueOptions = {},
  ): Promise<Conversation | undefined> {
    const queuedAt = options.queuedAt ?? now;
    const step = epochStep(options.fromEpoch);
    const epochName: Record<string, string> = options.fromEpoch === undefined ? {} : { '#epoch': 'epoch' };
    return this.transition(conversationId, {
      ...requeueing(conversationId, skill, queuedAt, now),
      ...(fromAgentId === null
        ? {
            condition: `#status = :queued${step.condition}`,
            names: { '#status': 'status', ...epochName },
            values: { ':queued': 'queued', ...step.values },
          }
        : {
            condition: `#status = :assigned AND #agent = :from${step.condition}`,
            names: { '#status': 'status', '#agent': 'agentId', ...epochName },
            values: { ':assigned': 'assigned', ':from': fromAgentId, ...step.values },
          }),
    });
  }
  /**
   * A transfer to a skill queue without the read before it: the condition is also the
   * authorization (an agent moves only the conversation assigned to it; a supervisor any
   * queued or assigned one), and the item as it was (ALL_OLD) says what it moved from.
   */
  transferToQueue(
    conversationId: string,
    skill: string,
    now: string,
    byAgentId: string | undefined,
  ): Promise<{ before: Conversation; moved: Conversation } | undefined> {
    return this.transitionFromOld(conversationId, {
      ...requeueing(conversationId, skill, now, now),
      ...(byAgentId === undefined
        ? {
            condition: '#status IN (:queued, :assigned)',
            names: { '#status': 'status' },
            values: { ':queued': 'queued', ':assigned': 'assigned' },
          }
        : {
            condition: '#status = :assigned AND #agent = :me',
            names: { '#status': 'status', '#agent': 'agentId' },
            values: { ':assigned': 'assigned', ':me': byAgentId },
          }),
    }).then((result) => (result ? { before: result.before, moved: result.after } : undefined));
  }

  async markAbandonNotice(conversationId: string, agentSeq: number, noticeAt: string): Promise<boolean> {
    const updated = await this.transition(conversationId, {
      set: { abandonNoticeSeq: agentSeq, abandonNoticeAt: noticeAt },
      condition: `#status = :assigned AND ${AGENT_WAITS} AND (attribute_not_exists(abandonNoticeSeq) OR abandonNoticeSeq <> :agentSeq)`,
      names: { '#status': 'status' },
      values: { ':assigned': 'assigned', ':agentSeq': agentSeq },
    });
    return updated !== undefined;
  }

  async closeAbandoned(conversationId: string, agentSeq: number, now: string): Promise<Conversation | undefined> {
    const closed = await this.transition(conversationId, {
      bump: true,
      set: {
        status: 'closed',
        statusKey: statusShardKey('closed', conversationId),
        closedAt: now,
        // An agent's closed conversations sort apart from its open ones (byAgent; unindexed without an agent).
        agentSort: agentClosedSort(now, conversationId),
        closedById: SYSTEM_SENDER.id,
        closedByRole: SYSTEM_SENDER.role,
        closeReason: 'abandoned',
        updatedAt: now,
      },
      remove: ['queueKey', 'queueSort'],
      condition: `#status = :assigned AND ${AGENT_WAITS} AND abandonNoticeSeq = :agentSeq`,
      names: { '#status': 'status' },
      values: { ':assigned': 'assigned', ':agentSeq': agentSeq },
    });
    if (closed) await this.clearOpenPointer(closed.customer.id, conversationId);
    return closed;
  }

  /** What a close sets, and removes from the queue index. */
  private static closing(conversationId: string, by: { id: string; role: string }, now: string): Item {
    return {
      status: 'closed',
      statusKey: statusShardKey('closed', conversationId),
      agentSort: agentClosedSort(now, conversationId),
      closedAt: now,
      closedById: by.id,
      closedByRole: by.role,
      updatedAt: now,
    };
  }

  /** Closing a live conversation; with `participantId`, only if it is the customer or the agent. */
  private static closeOf(set: Item, participantId?: string): Transition {
    return {
      bump: true,
      set,
      remove: ['queueKey', 'queueSort'],
      condition: `#status IN (:bot, :queued, :assigned)${participantId === undefined ? '' : ' AND (customerId = :me OR agentId = :me)'}`,
      names: { '#status': 'status' },
      values: {
        ':bot': 'bot',
        ':queued': 'queued',
        ':assigned': 'assigned',
        ...(participantId === undefined ? {} : { ':me': participantId }),
      },
    };
  }

  async close(conversationId: string, by: { id: string; role: string }, now: string): Promise<Conversation | undefined> {
    const closed = await this.transition(
      conversationId,
      DynamoConversationStore.closeOf(DynamoConversationStore.closing(conversationId, by, now)),
    );
    if (closed) await this.clearOpenPointer(closed.customer.id, conversationId);
    return closed;
  }

  /**
   * close() without the read before it: the condition also checks the closer takes part, and
   * the write returns the item as it was (ALL_OLD), from which the closed one follows (the
   * same set and removes, the epoch one step on).
   */
  async closeAsParticipant(
    conversationId: string,
    by: { id: string; role: string },
    now: string,
    participantId: string | undefined,
  ): Promise<{ before: Conversation; closed: Conversation } | undefined> {
    const moved = await this.transitionFromOld(
      conversationId,
      DynamoConversationStore.closeOf(DynamoConversationStore.closing(conversationId, by, now), participantId),
    );
    if (!moved) return undefined;
    await this.clearOpenPointer(moved.after.customer.id, conversationId);
    return { before: moved.before, closed: moved.after };
  }

  queuedToBot(conversationId: string, now: string, fromEpoch: number): Promise<Conversation | undefined> {
    const step = epochStep(fromEpoch);
    return this.transition(conversationId, {
      bump: true,
      set: { status: 'bot', statusKey: statusShardKey('bot', conversationId), updatedAt: now },
      remove: ['queueKey', 'queueSort', 'queuedAt'],
      condition: `#status = :queued AND lastSeq = :none${step.condition}`,
      names: { '#status': 'status', '#epoch': 'epoch' },
      values: { ':queued': 'queued', ':none': 0, ...step.values },
    });
  }

  botToQueue(conversationId: string, skill: string, now: string): Promise<Conversation | undefined> {
    return this.transition(conversationId, {
      bump: true,
      set: {
        status: 'queued',
        statusKey: statusShardKey('queued', conversationId),
        queuedAt: now,
        queueKey: skill,
        queueSort: `${now}#${conversationId}`,
        updatedAt: now,
      },
      // The skill read is still the skill (nothing moves a `bot` conversation between skills).
      condition: '#status = :bot AND #skill = :skill',
      names: { '#status': 'status', '#skill': 'skill' },
      values: { ':bot': 'bot', ':skill': skill },
    });
  }

  listAllWithStatus(status: 'bot'): Promise<Conversation[]> {
    return this.listAllIn(status);
  }

  async closeIdleBot(conversationId: string, idleSince: string, now: string): Promise<Conversation | undefined> {
    const closed = await this.transition(conversationId, {
      bump: true,
      set: {
        status: 'closed',
        statusKey: statusShardKey('closed', conversationId),
        closedAt: now,
        closedById: 'system',
        closedByRole: 'system',
        closeReason: 'abandoned',
        updatedAt: now,
      },
      condition: '#status = :bot AND updatedAt <= :idleSince',
      names: { '#status': 'status' },
      values: { ':bot': 'bot', ':idleSince': idleSince },
    });
    if (closed) await this.clearOpenPointer(closed.customer.id, conversationId);
    return closed;
  }

  private async clearOpenPointer(customerId: string, conversationId: string): Promise<void> {
    // Already replaced by a newer conversation (or gone): a stale pointer is repaired on open anyway.
    await conditionalWrite('DeleteItem', () =>
      this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.openPointer(customerId),
          ConditionExpression: 'candidate.id = :id',
          ExpressionAttributeValues: { ':id': conversationId },
        }),
      ),
    );
  }

  async rate(conversationId: string, rating: Rating, now: string): Promise<void> {
    await this.transition(conversationId, {
      set: { ratingScore: rating.score, ratingComment: rating.comment ?? '', updatedAt: now },
      condition: 'attribute_exists(pk)',
    });
  }

  async markNoAgentNotice(conversationId: string, now: string): Promise<boolean> {
    const updated = await this.transition(conversationId, {
      set: { noAgentNoticeAt: now },
      condition: 'attribute_exists(pk) AND attribute_not_exists(noAgentNoticeAt)',
    });
    return updated !== undefined;
  }

  appendMessage(conversation: Conversation, draft: MessageDraft, now: string): Promise<AppendResult> {
    return this.messages.append(conversation, draft, now);
  }

  listMessages(conversationId: string, afterSeq: number, limit: number): Promise<MessagePage> {
    return this.messages.list(conversationId, afterSeq, limit);
  }

  hasMessage(conversationId: string, seq: number): Promise<boolean> {
    return this.messages.has(conversationId, seq);
  }

  findByClientMsgId(conversationId: string, senderId: string, clientMsgId: string, cursor?: number): Promise<Message | undefined> {
    return this.messages.findByClientMsgId(conversationId, senderId, clientMsgId, cursor);
  }

  async getReadCursor(conversationId: string, userId: string): Promise<number | undefined> {
    const result = await dynamo('GetItem', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.readCursor(conversationId, userId), ConsistentRead: true })),
    );
    return typeof result.Item?.seq === 'number' ? result.Item.seq : undefined;
  }

  async getReadCursors(conversationIds: readonly string[], userId: string): Promise<Map<string, number>> {
    const items = await batchGetItems(
      this.db,
      this.tableName,
      [...new Set(conversationIds)].map((id) => keys.readCursor(id, userId)),
    );
    const cursors = new Map<string, number>();
    for (const item of items) {
      const pk = String(item.pk);
      if (typeof item.seq === 'number') cursors.set(pk.slice(pk.indexOf('#') + 1), item.seq);
    }
    return cursors;
  }

  async advanceReadCursor(conversationId: string, userId: string, seq: number): Promise<boolean> {
    try {
      await dynamo('UpdateItem', () =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: keys.readCursor(conversationId, userId),
            UpdateExpression: 'SET seq = :seq, kind = :kind',
            ConditionExpression: 'attribute_not_exists(seq) OR seq < :seq',
            ExpressionAttributeValues: { ':seq': seq, ':kind': 'read-cursor' },
          }),
        ),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
