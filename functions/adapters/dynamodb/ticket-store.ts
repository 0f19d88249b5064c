import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Conversation, TicketState } from '../../domain/conversation';
import { BadRequestError } from '../../domain/errors';
import type { TicketInfo, TicketOfferReason } from '../../domain/ticket';
import type { NewTicket, Ticket, TicketChange, TicketPage, TicketStore } from '../../ports/ticket-store';
import {
  conversationToItem,
  itemToConversation,
  OFFER_ATTRIBUTES,
  ticketAttributes,
  ticketIndexKeys,
  ticketListKey,
} from './conversation-items';
import { readConversationItems } from './conversation-reads';
import { DynamoStoreError, conditionalWrite, dynamo, isConditionFailure } from './errors';
import { keys } from './keys';
import { INDEXES } from './table-schema';

type Item = Record<string, unknown>;

/** Item keys this store adds to the table (see table-schema.ts). */
export const ticketKeys = {
  /** The reply token's lookup item: an emailed reply finds its ticket with one GetItem. */
  replyToken: (token: string) => ({ pk: `MAILTOKEN#${token}`, sk: 'TICKET' }),
  /** The offline form's idempotency pointer: written first, holding everything needed to create the ticket. */
  request: (customerId: string, clientMsgId: string) => ({ pk: `USER#${customerId}`, sk: `TICKETREQ#${clientMsgId}` }),
};

const UPDATE_ATTEMPTS = 4;

const isTicket = (conversation: Conversation | undefined): conversation is Ticket =>
  conversation?.status === 'ticket' && conversation.ticket !== undefined;

function encodeCursor(key: Item): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** A cursor this store issued for this list, else bad_request (it becomes ExclusiveStartKey). */
function decodeCursor(cursor: string, listKey: string): Item {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  const fields = ['pk', 'sk', INDEXES.byStatus.partitionKey, INDEXES.byStatus.sortKey];
  const valid =
    typeof key === 'object' &&
    key !== null &&
    Object.keys(key).length === fields.length &&
    fields.every((field) => typeof (key as Item)[field] === 'string') &&
    (key as Item)[INDEXES.byStatus.partitionKey] === listKey &&
    String((key as Item).pk).startsWith('CONV#');
  if (!valid) throw new BadRequestError('cursor is not one this list issued');
  return key as Item;
}

export class DynamoTicketStore implements TicketStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private async getConversation(conversationId: string): Promise<Conversation | undefined> {
    const result = await dynamo('GetItem', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.conversation(conversationId), ConsistentRead: true })),
    );
    return result.Item ? itemToConversation(result.Item) : undefined;
  }

  private async putReplyToken(token: string, conversationId: string): Promise<void> {
    // The same content every time: a blind write is idempotent.
    await dynamo('PutItem', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...ticketKeys.replyToken(token), kind: 'reply-token', conversationId },
        }),
      ),
    );
  }

  async create(candidate: NewTicket): Promise<{ ticket: Ticket; created: boolean }> {
    const requestKey = ticketKeys.request(candidate.customer.id, candidate.clientMsgId);
    let chosen = candidate;
    let created = true;
    try {
      await dynamo('PutItem', () =>
        this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...requestKey, kind: 'ticket-request', candidate },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const earlier = await dynamo('GetItem', () =>
        this.db.send(new GetCommand({ TableName: this.tableName, Key: requestKey, ConsistentRead: true })),
      );
      const stored = earlier.Item?.candidate as NewTicket | undefined;
      if (!stored) throw new DynamoStoreError('A ticket request vanished after a conflict');
      chosen = stored;
      created = false;
    }
    // An earlier attempt may have stopped anywhere after the request item: finish its work.
    await this.putReplyToken(chosen.ticket.replyToken, chosen.id);
    const conversation: Conversation = {
      id: chosen.id,
      status: 'ticket',
      customer: chosen.customer,
      skill: chosen.skill,
      lastSeq: 0,
      createdAt: chosen.now,
      updatedAt: chosen.now,
      ticket: chosen.ticket,
    };
    const { conditionFailed } = await conditionalWrite('PutItem', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: conversationToItem(conversation),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    if (!conditionFailed) return { ticket: conversation as Ticket, created };
    const existing = await this.getConversation(chosen.id);
    if (!isTicket(existing)) throw new DynamoStoreError(`Ticket ${chosen.id} is missing after a conflict`);
    return { ticket: existing, created };
  }

  async convert(conversationId: string, ticket: TicketInfo, customer: { name?: string }, now: string): Promise<Ticket | undefined> {
    await this.putReplyToken(ticket.replyToken, conversationId);
    const current = await this.getConversation(conversationId);
    if (!current) return undefined;
    const converted = await this.write(conversationId, {
      set: {
        status: 'ticket',
        ...ticketAttributes(ticket),
        ...ticketIndexKeys(current.skill, ticket.state, ticket.activityAt, conversationId),
        customerEmail: ticket.email,
        ...(customer.name ? { customerName: customer.name } : {}),
        updatedAt: now,
      },
      remove: ['queueKey', 'queueSort'],
      bump: true,
      condition: '#status IN (:queued, :bot)',
      values: { ':queued': 'queued', ':bot': 'bot' },
    });
    if (!converted) return undefined;
    // The customer's next `start` opens a new chat; the ticket goes on by email.
    await conditionalWrite('DeleteItem', () =>
      this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.openPointer(converted.customer.id),
          ConditionExpression: 'candidate.id = :id',
          ExpressionAttributeValues: { ':id': conversationId },
        }),
      ),
    );
    return isTicket(converted) ? converted : undefined;
  }

  async update(conversationId: string, change: TicketChange, now: string): Promise<Ticket | undefined> {
    // Read, then write only if the state read is still the state (its list partition moves with it).
    for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
      const current = await this.getConversation(conversationId);
      if (!isTicket(current)) return undefined;
      const state = change.state ?? current.ticket.state;
      const remove: string[] = [];
      const set: Item = {
        ticketState: state,
        ticketActivityAt: change.activityAt,
        ...ticketIndexKeys(current.skill, state, change.activityAt, conversationId),
        updatedAt: now,
      };
      if (change.assignee) set.assignee = { id: change.assignee.id, name: change.assignee.name };
      if (change.assignee === null) remove.push('assignee');
      if (change.lastInboundMessageId) set.lastInboundMessageId = change.lastInboundMessageId;
      if (typeof change.unsentReplySeq === 'number') set.unsentReplySeq = change.unsentReplySeq;
      if (change.unsentReplySeq === null) remove.push('unsentReplySeq');
      const updated = await this.write(conversationId, {
        set,
        remove,
        condition: '#status = :ticket AND ticketState = :state',
        values: { ':ticket': 'ticket', ':state': current.ticket.state },
      });
      if (isTicket(updated)) return updated;
    }
    throw new DynamoStoreError(`Could not update ticket ${conversationId}: too much contention`);
  }

  async list(skill: string, state: TicketState, limit: number, after?: string): Promise<TicketPage> {
    const listKey = ticketListKey(skill, state);
    const startKey = after ? decodeCursor(after, listKey) : undefined;
    const result = await dynamo('Query', () =>
      this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: INDEXES.byStatus.indexName,
          KeyConditionExpression: '#key = :value',
          ExpressionAttributeNames: { '#key': INDEXES.byStatus.partitionKey },
          ExpressionAttributeValues: { ':value': listKey },
          ScanIndexForward: false,
          Limit: limit,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      ),
    );
    // The index holds keys only (table-schema.ts INDEX_PROJECTIONS): the tickets are read by
    // BatchGetItem. It is eventually consistent: leave out what has just moved to another list.
    const tickets = (await readConversationItems(this.db, this.tableName, result.Items ?? []))
      .map(itemToConversation)
      .filter((conversation): conversation is Ticket => isTicket(conversation) && conversation.ticket.state === state);
    return { tickets, ...(result.LastEvaluatedKey ? { next: encodeCursor(result.LastEvaluatedKey) } : {}) };
  }

  async findByReplyToken(replyToken: string): Promise<Ticket | undefined> {
    const lookup = await dynamo('GetItem', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: ticketKeys.replyToken(replyToken), ConsistentRead: true })),
    );
    const conversationId = lookup.Item?.conversationId;
    if (typeof conversationId !== 'string') return undefined;
    const conversation = await this.getConversation(conversationId);
    // A token written by a conversion that then lost its condition points at no ticket.
    return isTicket(conversation) && conversation.ticket.replyToken === replyToken ? conversation : undefined;
  }

  async recordOffer(conversationId: string, reason: TicketOfferReason, now: string): Promise<boolean> {
    const attribute = OFFER_ATTRIBUTES[reason];
    const updated = await this.write(conversationId, {
      set: { [attribute]: now },
      condition: '#status IN (:queued, :bot) AND attribute_not_exists(#offer)',
      names: { '#offer': attribute },
      values: { ':queued': 'queued', ':bot': 'bot' },
    });
    return updated !== undefined;
  }

  /** A conditional update returning the new conversation, or undefined when the condition failed. */
  private async write(
    conversationId: string,
    update: { set: Item; remove?: string[]; condition: string; names?: Record<string, string>; values?: Item; bump?: boolean },
  ): Promise<Conversation | undefined> {
    const names: Record<string, string> = { '#status': 'status', ...update.names };
    const values: Item = { ...update.values };
    const assignments = Object.entries(update.set).map(([name, value], index) => {
      names[`#s${index}`] = name;
      values[`:s${index}`] = value;
      return `#s${index} = :s${index}`;
    });
    if (update.bump) {
      names['#epoch'] = 'epoch';
      values[':zero'] = 0;
      values[':one'] = 1;
      assignments.push('#epoch = if_not_exists(#epoch, :zero) + :one');
    }
    const removals = (update.remove ?? []).map((name, index) => {
      names[`#r${index}`] = name;
      return `#r${index}`;
    });
    try {
      const result = await dynamo('UpdateItem', () =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: keys.conversation(conversationId),
            UpdateExpression: `SET ${assignments.join(', ')}${removals.length ? ` REMOVE ${removals.join(', ')}` : ''}`,
            ConditionExpression: `attribute_exists(pk) AND ${update.condition}`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return result.Attributes ? itemToConversation(result.Attributes) : undefined;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }
}
