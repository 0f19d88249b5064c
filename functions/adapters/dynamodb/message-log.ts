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
/**
 * How far above a sender's cursor a copy of its send may be placed without a clientMsgId
 * claim, and so the most messages one send's search above the cursor reads (one Query page).
 */
export const CURSOR_WINDOW = SCAN_PAGE;

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

/** A clientMsgId claim as stored: `seq` only on claims completed before completions were dropped (issue 14). */
export interface Claim {
  readonly messageId: string;
  readonly floor: number;
  readonly seq?: number;
}

/**
 * The claim a conditional put met, from the failure's `Item` (the put asks for it with
 * `ReturnValuesOnConditionCheckFailure: ALL_OLD`): DynamoDB returns it, so a resend needs no
 * GetItem; dynalite ignores the parameter, and the caller then reads the claim itself. The
 * item comes in DynamoDB's attribute-value form (`{S}`, `{N}`); plain values are taken too.
 */
export function claimOfFailure(error: unknown): Claim | undefined {
  const item = (error as { Item?: Record<string, unknown> } | undefined)?.Item;
  if (typeof item !== 'object' || item === null) return undefined;
  const value = (name: string): unknown => {
    const raw = item[name];
    if (typeof raw === 'object' && raw !== null) return (raw as { S?: string; N?: string }).S ?? (raw as { N?: string }).N;
    return raw;
  };
  const messageId = value('messageId');
  const floor = Number(value('floor'));
  if (typeof messageId !== 'string' || messageId === '' || !Number.isInteger(floor)) return undefined;
  const seq = value('seq') === undefined ? undefined : Number(value('seq'));
  return { messageId, floor, ...(seq !== undefined && Number.isInteger(seq) ? { seq } : {}) };
}

/** A copy of the attempt that claimed this message id. */
const byMessageId =
  (messageId: string) =>
  (stored: Message): boolean =>
    stored.messageId === messageId;

/** A copy of this sender's send with this clientMsgId (the cursor path, where no claim names a message id). */
const sameSend =
  (senderId: string, clientMsgId: string) =>
  (stored: Message): boolean =>
    stored.sender.id === senderId && stored.clientMsgId === clientMsgId;

/**
 * A conversation's messages, numbered 1, 2, 3... without gaps or repeats, using single-item
 * conditional writes only (DynamoDB Local and dynalite have no transactions either):
 *
 * - A slot (seq) is taken by a conditional put of the message item, so two writers can never
 *   hold one seq, and slots fill as a prefix 1..N: a writer starts just above the conversation's
 *   `lastSeq`, which only ever trails the real last message.
 * - A clientMsgId is claimed first (its own item, holding the message id and the seq floor at
 *   claim time). The claim is never completed: a resend that meets it (the put's ALL_OLD on
 *   AWS) walks the messages above its floor, which are a gap-free run, for its message id. If
 *   it meets it, the original is answered; if the run ends first, the earlier attempt died (or
 *   is still running) before placing it, and this one places it with the same message id, so
 *   whichever of the two places it, the other recognises it. So a resend never stores a second
 *   copy, whenever the first attempt stopped.
 *
 * - A message whose sender gave its cursor from the first send (issue 14) makes no claim: every
 *   copy of that send lies above the cursor, and any attempt that loses a put looks for the
 *   same sender and clientMsgId in the run (appendAfterCursor).
 *
 * A new message costs 2 requests here with a cursor (message put, lastSeq update), 3 without
 * (the claim first), plus the caller's read of the conversation; docs/delivery.md "The message
 * path's requests" gives the argument and the designs weighed against it.
 */
export class MessageLog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly ids: IdGenerator,
    private readonly space: SequenceSpace = MESSAGE_SPACE,
  ) {}

  async append(conversation: Conversation, draft: MessageDraft, now: string): Promise<AppendResult> {
    if (this.space.kind === 'message' && draft.clientMsgId && draft.cursor !== undefined) {
      return this.appendAfterCursor(conversation, draft, now, draft.cursor);
    }
    return this.appendWithClaim(conversation, draft, now, 0);
  }

  /**
   * The claim path. `reached`: a seq up to which this attempt saw every slot filled (a cursor
   * send's search of its window), a floor as good as lastSeq and possibly higher.
   */
  private async appendWithClaim(conversation: Conversation, draft: MessageDraft, now: string, reached: number): Promise<AppendResult> {
    let messageId = this.ids.next();
    // What the caller (or the HEAD item) knew: every seq up to it is stored and announced in lastSeq.
    const known = this.space.kind === 'message' ? conversation.lastSeq : await this.headSeq(conversation.id);
    let floor = Math.max(known, reached);
    let earlier = false;
    if (draft.clientMsgId) {
      const claim = await this.claimClientMsgId(conversation.id, draft.sender.id, draft.clientMsgId, messageId, floor, now);
      if (claim) {
        if (typeof claim.seq === 'number') {
          const message = await this.get(conversation.id, claim.seq);
          if (!message) throw new DynamoStoreError(`message ${claim.seq} of a completed claim is missing`);
          return { message, duplicate: true, resumed: false };
        }
        ({ messageId, floor } = claim);
        earlier = true;
      }
    }
    const placed = await this.place(conversation.id, { messageId, floor, draft, now }, earlier, byMessageId(messageId));
    if (!placed) throw new DynamoStoreError('a placement without a ceiling stopped at one');
    return this.finish(conversation.id, placed, known);
  }

  /**
   * A message whose sender gave its cursor from the first send (issue 14): no clientMsgId claim.
   * Every stored copy of this send sits above the cursor (the sender's cursor counts only
   * stored messages, and a copy is placed after the first send), so it is the floor of the
   * search: when the cursor is below lastSeq the run above it is read first; otherwise the
   * put at lastSeq + 1 is itself the check (slots fill as a prefix, so a free slot there means
   * nothing above it). Any attempt that loses a put walks the occupied run for a copy of the
   * same send (sender and clientMsgId) before trying past its end, so of two attempts racing
   * (a slow first attempt and a resend), the one that puts second finds the other's copy.
   *
   * The search is bounded: a copy is placed this way only in the window of CURSOR_WINDOW slots
   * above the cursor. Once the window is full (every slot in it taken, as lastSeq or this
   * attempt's own walk shows) no copy can be placed in it any more and every copy placed there
   * is visible: one read of the window answers it, and otherwise the send takes the claim path,
   * whose copies its claim finds. So a cursor far below lastSeq (an old one, or a lie) costs one
   * window, not the whole run above it. docs/delivery.md "The message path's requests" gives
   * the argument.
   */
  private async appendAfterCursor(conversation: Conversation, draft: MessageDraft, now: string, cursor: number): Promise<AppendResult> {
    const known = conversation.lastSeq;
    const end = cursor + CURSOR_WINDOW;
    const mine = sameSend(draft.sender.id, draft.clientMsgId ?? '');
    if (known >= end) {
      const window = await this.searchWindow(conversation.id, cursor, mine);
      if (window.copy) return this.finish(conversation.id, { message: window.copy, existed: true }, known);
      return this.appendWithClaim(conversation, draft, now, end);
    }
    const floor = Math.min(cursor, known);
    const placed = await this.place(conversation.id, { messageId: this.ids.next(), floor, draft, now }, floor < known, mine, end);
    if (placed) return this.finish(conversation.id, placed, known);
    // The window filled while this attempt walked it (every slot of it read, no copy of this send).
    return this.appendWithClaim(conversation, draft, now, end);
  }

  /**
   * The window above a sender's cursor, in one Query: a copy of its send there, and whether
   * the window is full (then no copy can be placed in it any more: appendAfterCursor).
   */
  private async searchWindow(
    conversationId: string,
    cursor: number,
    matches: (stored: Message) => boolean,
  ): Promise<{ copy?: Message; full: boolean }> {
    const page = await this.range(conversationId, cursor, CURSOR_WINDOW, cursor + CURSOR_WINDOW);
    const copy = page.messages.find(matches);
    return { ...(copy ? { copy } : {}), full: page.messages.length >= CURSOR_WINDOW };
  }

  /** lastSeq covers what was placed (or found placed above what the caller knew). */
  private async finish(conversationId: string, placed: { message: Message; existed: boolean }, known: number): Promise<AppendResult> {
    // A duplicate whose seq lastSeq already covers needs no write: its attempt (or a later one) got that far.
    const resumed = placed.existed && placed.message.seq > known;
    if (!placed.existed || resumed) {
      if (this.space.touchesConversation) {
        await this.bumpLastSeq(conversationId, placed.message.seq, placed.message.ts, sideOf(placed.message.sender.role));
      } else {
        await this.bumpHead(conversationId, placed.message.seq);
      }
    }
    return { message: placed.message, duplicate: placed.existed, resumed };
  }

  list(conversationId: string, afterSeq: number, limit: number): Promise<MessagePage> {
    return this.range(conversationId, afterSeq, limit, LAST_SEQ);
  }

  /** Up to `limit` entries after `afterSeq`, none above `through`. */
  private async range(conversationId: string, afterSeq: number, limit: number, through: number): Promise<MessagePage> {
    const result = await dynamo('Query', () =>
      this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': this.space.partition(conversationId),
            ':from': this.space.sortKey(afterSeq + 1),
            ':to': this.space.sortKey(Math.min(through, LAST_SEQ)),
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

  /**
   * `cursor`: the sender's cursor from its first send. A copy placed without a claim is in the
   * window above it; past a full window the send was placed by claim (appendAfterCursor).
   */
  async findByClientMsgId(conversationId: string, senderId: string, clientMsgId: string, cursor?: number): Promise<Message | undefined> {
    if (this.space.kind === 'message' && cursor !== undefined) {
      const window = await this.searchWindow(conversationId, cursor, sameSend(senderId, clientMsgId));
      if (window.copy || !window.full) return window.copy;
    }
    const claim = await this.getClaim(conversationId, senderId, clientMsgId);
    if (!claim) return undefined;
    if (typeof claim.seq === 'number') return this.get(conversationId, claim.seq);
    return this.walkFor(conversationId, claim.floor, byMessageId(claim.messageId));
  }

  /** The message `matches` accepts above `floor`, walking the gap-free run page by page; undefined at its end. */
  private async walkFor(conversationId: string, floor: number, matches: (stored: Message) => boolean): Promise<Message | undefined> {
    let after = floor;
    for (;;) {
      const page = await this.list(conversationId, after, SCAN_PAGE);
      const mine = page.messages.find(matches);
      if (mine) return mine;
      if (!page.more) return undefined;
      after = page.messages.at(-1)?.seq ?? after;
    }
  }

  private async get(conversationId: string, seq: number): Promise<Message | undefined> {
    const result = await dynamo('GetItem', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: this.space.slot(conversationId, seq), ConsistentRead: true })),
    );
    return result.Item ? itemToMessage(result.Item) : undefined;
  }

  private async getClaim(conversationId: string, senderId: string, clientMsgId: string): Promise<Claim | undefined> {
    const result = await dynamo('GetItem', () =>
      this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: this.space.claim(conversationId, senderId, clientMsgId),
          ConsistentRead: true,
        }),
      ),
    );
    return result.Item as Claim | undefined;
  }

  /** Claims the clientMsgId for this attempt: undefined when it is ours, else the claim an earlier attempt made. */
  private async claimClientMsgId(
    conversationId: string,
    senderId: string,
    clientMsgId: string,
    messageId: string,
    floor: number,
    now: string,
  ): Promise<Claim | undefined> {
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
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      return undefined;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const claim = claimOfFailure(error) ?? (await this.getClaim(conversationId, senderId, clientMsgId));
      if (!claim) throw new DynamoStoreError('clientMsgId claim vanished after a conflict');
      return claim;
    }
  }

  /**
   * Puts the message in the first free slot above the floor. `walkFirst` (an earlier attempt's
   * claim, or a sender's cursor below lastSeq) reads the run above the floor before writing
   * anything: that attempt's copy, if placed, is in it. Otherwise a lost put walks the occupied
   * run for a copy of this send (`mine`: a racing attempt), else past its end. Only lost puts
   * count against the attempts. With a `ceiling` (a cursor's window) nothing is read or put
   * above it: undefined once the next free slot is past it (every slot up to it was read).
   */
  private async place(
    conversationId: string,
    attempt: { messageId: string; floor: number; draft: MessageDraft; now: string },
    walkFirst: boolean,
    matches: (stored: Message) => boolean,
    ceiling = LAST_SEQ,
  ): Promise<{ message: Message; existed: boolean } | undefined> {
    let slot = attempt.floor + 1;
    let walk = walkFirst;
    for (let lost = 0; lost < PLACEMENT_ATTEMPTS; ) {
      if (slot > ceiling) return undefined;
      if (walk) {
        const page = await this.range(conversationId, slot - 1, Math.min(SCAN_PAGE, ceiling - slot + 1), ceiling);
        const mine = page.messages.find(matches);
        if (mine) return { message: mine, existed: true };
        slot = (page.messages.at(-1)?.seq ?? slot - 1) + 1;
        if (page.more) continue;
        if (slot > ceiling) return undefined;
      }
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
      lost++;
      walk = true;
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
}
