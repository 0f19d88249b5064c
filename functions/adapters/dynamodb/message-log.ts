import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sideOf } from '../../domain/abandonment';
import type { Conversation } from '../../domain/conversation';
import type { Message, MessageDraft } from '../../domain/message';
import type { IdGenerator } from '../../ports/clock';
import type { AppendResult, MessagePage } from '../../ports/conversation-store';
import { DynamoStoreError, conditionalWrite, dynamo, isConditionFailure } from './errors';
import { itemToMessage, messageToItem } from './conversation-items';
import { keys, messageSortKey, noteSortKey } from './keys';

const LAST_SEQ = 10 ** 12 - 1;
const PLACEMENT_ATTEMPTS = 50;
const SCAN_PAGE = 100;

type Key = { pk: string; sk: string };

/**
 * Where one numbered sequence lives: the conversation's messages (in its own partition, lastSeq
 * on its META item) or its internal notes (a partition of their own, `NOTES#<id>`, so no grant
 * that lets a customer-facing path read the conversation reaches them; lastSeq on a HEAD item).
 */
export interface SequenceSpace {
  readonly kind: 'message' | 'note';
  readonly partition: (conversationId: string) => string;
  readonly slot: (conversationId: string, seq: number) => Key;
  readonly sortKey: (seq: number) => string;
  readonly claim: (conversationId: string, senderId: string, clientMsgId: string) => Key;
  /** The item whose `lastSeq` trails the sequence's last entry. */
  readonly head: (conversationId: string) => Key;
  /**
   * Messages move the conversation's lastSeq, updatedAt and who spoke last per side (the
   * abandoned-chat sweep); a note touches none of them, only its HEAD item.
   */
  readonly touchesConversation: boolean;
}

export const MESSAGE_SPACE: SequenceSpace = {
  kind: 'message',
  partition: keys.conversationPartition,
  slot: keys.message,
  sortKey: messageSortKey,
  claim: keys.clientMessage,
  head: keys.conversation,
  touchesConversation: true,
};

export const NOTE_SPACE: SequenceSpace = {
  kind: 'note',
  partition: keys.notesPartition,
  slot: keys.note,
  sortKey: noteSortKey,
  claim: keys.noteClaim,
  head: keys.notesHead,
  touchesConversation: false,
};

/**
 * A conversation's messages, numbered 1, 2, 3... without gaps or repeats, using single-item
 * conditional writes only (DynamoDB Local and dynalite have no transactions either):
 *
 * - A slot (seq) is taken by a conditional put of the message item, so two writers can never
 *   hold one seq, and slots fill as a prefix 1..N: a writer starts just above the conversation's
 *   `lastSeq`, which only ever trails the real last message.
 * - A clientMsgId is claimed first (its own item, holding the message id and the seq floor at
 *   claim time). A resend finds the claim: if it has a seq, the original is answered; if not,
 *   an earlier attempt died or is still running, and this one resumes with the same message id
 *   from the same floor, recognising its own message if it meets it. So a resend never stores
 *   a second copy, whenever the first attempt stopped.
 */
export class MessageLog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly ids: IdGenerator,
    private readonly space: SequenceSpace = MESSAGE_SPACE,
  ) {}

  async append(conversation: Conversation, draft: MessageDraft, now: string): Promise<AppendResult> {
    let messageId = this.ids.next();
    let floor = this.space.kind === 'message' ? conversation.lastSeq : await this.headSeq(conversation.id);
    let resumed = false;
    if (draft.clientMsgId) {
      const claim = await this.claimClientMsgId(conversation.id, draft.sender.id, draft.clientMsgId, messageId, floor, now);
      if (claim.kind === 'done') return { message: claim.message, duplicate: true, resumed: false };
      if (claim.kind === 'pending') {
        ({ messageId, floor } = claim);
        resumed = true;
      }
    }
    const placed = await this.place(conversation.id, { messageId, floor, draft, now });
    if (this.space.touchesConversation) {
      await this.bumpLastSeq(conversation.id, placed.message.seq, placed.message.ts, sideOf(draft.sender.role));
    } else {
      await this.bumpHead(conversation.id, placed.message.seq);
    }
    if (draft.clientMsgId) await this.completeClaim(conversation.id, draft.sender.id, draft.clientMsgId, placed.message.seq);
    return { message: placed.message, duplicate: placed.existed, resumed };
  }

  async list(conversationId: string, afterSeq: number, limit: number): Promise<MessagePage> {
    const result = await dynamo('Query', () =>
      this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': this.space.partition(conversationId),
            ':from': this.space.sortKey(afterSeq + 1),
            ':to': this.space.sortKey(LAST_SEQ),
          },
          ConsistentRead: true,
          Limit: limit + 1,
        }),
      ),
    );
    const items = (result.Items ?? []).map(itemToMessage);
    return { messages: items.slice(0, limit), more: items.length > limit };
  }

  async has(conversationId: string, seq: number): Promise<boolean> {
    const result = await dynamo('GetItem', () =>
      this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: this.space.slot(conversationId, seq),
          ProjectionExpression: 'seq',
          ConsistentRead: true,
        }),
      ),
    );
    return result.Item !== undefined;
  }

  async findByClientMsgId(conversationId: string, senderId: string, clientMsgId: string): Promise<Message | undefined> {
    const claim = await this.getClaim(conversationId, senderId, clientMsgId);
    if (!claim || typeof claim.seq !== 'number') return undefined;
    return this.get(conversationId, claim.seq);
  }

  private async get(conversationId: string, seq: number): Promise<Message | undefined> {
    const result = await dynamo('GetItem', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: this.space.slot(conversationId, seq), ConsistentRead: true })),
    );
    return result.Item ? itemToMessage(result.Item) : undefined;
  }

  private async getClaim(conversationId: string, senderId: string, clientMsgId: string) {
    const result = await dynamo('GetItem', () =>
      this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: this.space.claim(conversationId, senderId, clientMsgId),
          ConsistentRead: true,
        }),
      ),
    );
    return result.Item as { messageId: string; floor: number; seq?: number } | undefined;
  }

  private async claimClientMsgId(
    conversationId: string,
    senderId: string,
    clientMsgId: string,
    messageId: string,
    floor: number,
    now: string,
  ): Promise<{ kind: 'new' } | { kind: 'done'; message: Message } | { kind: 'pending'; messageId: string; floor: number }> {
    try {
      await dynamo('PutItem', () =>
        this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              ...this.space.claim(conversationId, senderId, clientMsgId),
              kind: this.space.kind === 'message' ? 'client-message' : 'client-note',
              messageId,
              floor,
              createdAt: now,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      return { kind: 'new' };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const claim = await this.getClaim(conversationId, senderId, clientMsgId);
    if (!claim) throw new DynamoStoreError('clientMsgId claim vanished after a conflict');
    if (typeof claim.seq === 'number') {
      const message = await this.get(conversationId, claim.seq);
      if (!message) throw new DynamoStoreError(`message ${claim.seq} of a completed claim is missing`);
      return { kind: 'done', message };
    }
    return { kind: 'pending', messageId: claim.messageId, floor: claim.floor };
  }

  private async place(
    conversationId: string,
    attempt: { messageId: string; floor: number; draft: MessageDraft; now: string },
  ): Promise<{ message: Message; existed: boolean }> {
    let slot = attempt.floor + 1;
    for (let round = 0; round < PLACEMENT_ATTEMPTS; round++) {
      const message: Message = {
        conversationId,
        seq: slot,
        messageId: attempt.messageId,
        ...(attempt.draft.clientMsgId ? { clientMsgId: attempt.draft.clientMsgId } : {}),
        sender: attempt.draft.sender,
        text: attempt.draft.text,
        ...(attempt.draft.attachment ? { attachment: attempt.draft.attachment } : {}),
        ts: attempt.now,
      };
      try {
        await dynamo('PutItem', () =>
          this.db.send(
            new PutCommand({
              TableName: this.tableName,
              Item: { ...messageToItem(message), ...this.space.slot(conversationId, slot), kind: this.space.kind },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          ),
        );
        return { message, existed: false };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      // The slot is taken: walk the occupied run for our own earlier copy, else past its end.
      const page = await this.list(conversationId, slot - 1, SCAN_PAGE);
      const mine = page.messages.find((stored) => stored.messageId === attempt.messageId);
      if (mine) return { message: mine, existed: true };
      slot = (page.messages.at(-1)?.seq ?? slot) + 1;
    }
    throw new DynamoStoreError(`could not find a free seq in conversation ${conversationId}`);
  }

  /**
   * Moves lastSeq forward and, in the same write, records who spoke last on the message's side
   * (`lastCustomerSeq/At` or `lastAgentSeq/At`, read by the abandoned-chat sweep). Only when a
   * later message already moved lastSeq (contention) does the side take a write of its own,
   * so the sweep's "nothing new from the customer" condition never misses a message.
   */
  private async bumpLastSeq(conversationId: string, seq: number, ts: string, side: 'customer' | 'agent' | undefined): Promise<void> {
    const sideNames =
      side === 'customer'
        ? { '#sideSeq': 'lastCustomerSeq', '#sideAt': 'lastCustomerAt' }
        : { '#sideSeq': 'lastAgentSeq', '#sideAt': 'lastAgentAt' };
    const { conditionFailed } = await conditionalWrite('UpdateItem', () =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.conversation(conversationId),
          UpdateExpression: side
            ? 'SET lastSeq = :seq, updatedAt = :now, #sideSeq = :seq, #sideAt = :now'
            : 'SET lastSeq = :seq, updatedAt = :now',
          ConditionExpression: 'attribute_exists(pk) AND lastSeq < :seq',
          ...(side ? { ExpressionAttributeNames: sideNames } : {}),
          ExpressionAttributeValues: { ':seq': seq, ':now': ts },
        }),
      ),
    );
    if (!conditionFailed || !side) return;
    // A later message already moved lastSeq past this one; losing here means a later one of this side did too.
    await conditionalWrite('UpdateItem', () =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.conversation(conversationId),
          UpdateExpression: 'SET #sideSeq = :seq, #sideAt = :now',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#sideSeq) OR #sideSeq < :seq)',
          ExpressionAttributeNames: sideNames,
          ExpressionAttributeValues: { ':seq': seq, ':now': ts },
        }),
      ),
    );
  }

  /** The note space's floor: its HEAD item's lastSeq (0 before the first note). */
  private async headSeq(conversationId: string): Promise<number> {
    const result = await dynamo('GetItem', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: this.space.head(conversationId), ConsistentRead: true })),
    );
    return typeof result.Item?.lastSeq === 'number' ? result.Item.lastSeq : 0;
  }

  /** Moves the HEAD item's lastSeq forward (created by the first note); a later entry may have moved it already. */
  private async bumpHead(conversationId: string, seq: number): Promise<void> {
    await conditionalWrite('UpdateItem', () =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.space.head(conversationId),
          UpdateExpression: 'SET lastSeq = :seq, #kind = :kind',
          ConditionExpression: 'attribute_not_exists(lastSeq) OR lastSeq < :seq',
          ExpressionAttributeNames: { '#kind': 'kind' },
          ExpressionAttributeValues: { ':seq': seq, ':kind': `${this.space.kind}-head` },
        }),
      ),
    );
  }

  private async completeClaim(conversationId: string, senderId: string, clientMsgId: string, seq: number): Promise<void> {
    await dynamo('UpdateItem', () =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.space.claim(conversationId, senderId, clientMsgId),
          UpdateExpression: 'SET seq = :seq',
          ExpressionAttributeValues: { ':seq': seq },
        }),
      ),
    );
  }
}
