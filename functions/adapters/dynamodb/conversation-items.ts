import type { CloseReason, Conversation, ConversationStatus, TicketState } from '../../domain/conversation';
import type { CustomerAttrs } from '../../domain/customer-context';
import type { TicketInfo, TicketOfferReason } from '../../domain/ticket';
import type { Attachment } from '../../domain/attachment';
import type { Message } from '../../domain/message';
import type { SenderRole } from '../../domain/identity';
import { keys } from './keys';

type Item = Record<string, unknown>;

const str = (item: Item, name: string): string | undefined => (typeof item[name] === 'string' ? (item[name] as string) : undefined);
const CLOSE_REASONS: readonly CloseReason[] = ['abandoned'];

/** Who spoke last on each side, the abandoned-chat notice, and why the system closed it: only those present. */
function activityOf(item: Item): Partial<Conversation> {
  const out: Record<string, unknown> = {};
  for (const name of ['lastCustomerSeq', 'lastAgentSeq', 'abandonNoticeSeq']) {
    if (typeof item[name] === 'number') out[name] = item[name];
  }
  for (const name of ['lastCustomerAt', 'lastAgentAt', 'abandonNoticeAt']) {
    const value = str(item, name);
    if (value) out[name] = value;
  }
  const reason = str(item, 'closeReason');
  if (reason && (CLOSE_REASONS as readonly string[]).includes(reason)) out.closeReason = reason;
  return out as Partial<Conversation>;
}

/** The start's page, referrer, browser and zone, and the identified customer's attributes: only those present. */
function visitorOf(item: Item): Pick<Conversation, 'visitor' | 'attrs'> {
  const stored = typeof item.visitor === 'object' && item.visitor !== null ? (item.visitor as Item) : {};
  const visitor = Object.fromEntries(
    ['page', 'referrer', 'userAgent', 'timeZone'].flatMap((name) => (str(stored, name) ? [[name, str(stored, name)]] : [])),
  );
  const attrs = typeof item.customerAttrs === 'object' && item.customerAttrs !== null ? (item.customerAttrs as CustomerAttrs) : undefined;
  return {
    ...(Object.keys(visitor).length > 0 ? { visitor } : {}),
    ...(attrs && Object.keys(attrs).length > 0 ? { attrs } : {}),
  };
}

/**
 * How many byStatus partitions each conversation status is spread over. One partition per
 * status would put every live conversation's index writes on one key (a GSI partition takes
 * about 1,000 writes a second); readers query the shards in parallel and merge.
 */
export const STATUS_SHARDS = 4;

/** A conversation's byStatus partition for a (non-ticket) status: `<status>#<shard>`, the shard from its id. */
export function statusShardKey(status: string, conversationId: string): string {
  // FNV-1a over the id: ULIDs are time-ordered, so their leading characters would not spread.
  let hash = 0x811c9dc5;
  for (let index = 0; index < conversationId.length; index++) {
    hash ^= conversationId.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `${status}#${hash % STATUS_SHARDS}`;
}

/**
 * Every byStatus partition a status's conversations may be in: the shards, and the unsharded
 * key items written before sharding still carry until their next transition (docs/routing.md "Index keys that scale").
 */
export function statusKeysOf(status: string): string[] {
  return [...Array.from({ length: STATUS_SHARDS }, (_, shard) => `${status}#${shard}`), status];
}

/**
 * The byAgent sort key: open (assigned) conversations under `O#<assignedAt>#<id>`, closed ones
 * under `C#<closedAt>#<id>`, so an agent's open conversations are one Query on the `O#` prefix
 * that never reads its closed history, and one descending Query lists the open ones first,
 * then the most recently closed. Items written before carry `<assignedAt>#<id>` (a digit
 * first: they sort last) until their next transition (docs/routing.md "Index keys that scale").
 */
export const AGENT_SORT_OPEN = 'O#';
export const AGENT_SORT_CLOSED = 'C#';
export const agentOpenSort = (assignedAt: string, conversationId: string): string => `${AGENT_SORT_OPEN}${assignedAt}#${conversationId}`;
export const agentClosedSort = (closedAt: string, conversationId: string): string => `${AGENT_SORT_CLOSED}${closedAt}#${conversationId}`;

/**
 * A ticket's place in the byStatus index: one partition per skill and state, newest activity
 * first (`ticket#<skill>#<state>`, sorted by `<activityAt>#<id>`), so the console lists one tab
 * of one skill with a single Query.
 */
export function ticketIndexKeys(skill: string, state: TicketState, activityAt: string, conversationId: string): Item {
  return { statusKey: ticketListKey(skill, state), statusSort: `${activityAt}#${conversationId}` };
}

export function ticketListKey(skill: string, state: TicketState): string {
  return `ticket#${skill}#${state}`;
}

/** The ticket attributes of a conversation item. */
export function ticketAttributes(ticket: TicketInfo): Item {
  return {
    ticketState: ticket.state,
    ticketEmail: ticket.email,
    subject: ticket.subject,
    replyToken: ticket.replyToken,
    ticketActivityAt: ticket.activityAt,
    ...(ticket.assignee ? { assignee: { id: ticket.assignee.id, name: ticket.assignee.name } } : {}),
    ...(ticket.lastInboundMessageId ? { lastInboundMessageId: ticket.lastInboundMessageId } : {}),
    ...(ticket.unsentReplySeq !== undefined ? { unsentReplySeq: ticket.unsentReplySeq } : {}),
  };
}

/** Offer times are one attribute per reason, so "once per reason" is an attribute_not_exists condition. */
export const OFFER_ATTRIBUTES: Record<TicketOfferReason, string> = {
  wait: 'offerWaitAt',
  closed: 'offerClosedAt',
  no_agent: 'offerNoAgentAt',
};

function itemToTicket(item: Item): TicketInfo | undefined {
  const state = str(item, 'ticketState') as TicketState | undefined;
  const email = str(item, 'ticketEmail');
  const replyToken = str(item, 'replyToken');
  if (!state || !email || !replyToken) return undefined;
  const assignee = item.assignee as { id?: unknown; name?: unknown } | undefined;
  return {
    state,
    email,
    replyToken,
    subject: str(item, 'subject') ?? '',
    activityAt: str(item, 'ticketActivityAt') ?? String(item.updatedAt),
    ...(assignee && typeof assignee.id === 'string'
      ? { assignee: { id: assignee.id, name: typeof assignee.name === 'string' ? assignee.name : assignee.id } }
      : {}),
    ...(str(item, 'lastInboundMessageId') ? { lastInboundMessageId: str(item, 'lastInboundMessageId') } : {}),
    ...(typeof item.unsentReplySeq === 'number' ? { unsentReplySeq: item.unsentReplySeq } : {}),
  };
}

function itemToOffers(item: Item): Partial<Record<TicketOfferReason, string>> | undefined {
  const offers = Object.fromEntries(
    Object.entries(OFFER_ATTRIBUTES).flatMap(([reason, name]) => (str(item, name) ? [[reason, str(item, name)]] : [])),
  ) as Partial<Record<TicketOfferReason, string>>;
  return Object.keys(offers).length > 0 ? offers : undefined;
}

/** Index attributes a conversation carries in a given status (sparse GSIs). */
export function indexAttributes(
  conversation: Pick<Conversation, 'id' | 'status' | 'skill' | 'createdAt' | 'customer'> & {
    agent?: { id: string };
    assignedAt?: string;
    closedAt?: string;
    queuedAt?: string;
    ticket?: TicketInfo;
  },
): Item {
  return {
    customerKey: conversation.customer.id,
    customerSort: conversation.id,
    ...(conversation.status === 'ticket' && conversation.ticket
      ? ticketIndexKeys(conversation.skill, conversation.ticket.state, conversation.ticket.activityAt, conversation.id)
      : { statusKey: statusShardKey(conversation.status, conversation.id), statusSort: conversation.id }),
    ...(conversation.agent && conversation.assignedAt
      ? {
          agentKey: conversation.agent.id,
          agentSort:
            conversation.status === 'closed'
              ? agentClosedSort(conversation.closedAt ?? conversation.assignedAt, conversation.id)
              : agentOpenSort(conversation.assignedAt, conversation.id),
        }
      : {}),
    ...(conversation.status === 'queued' && conversation.queuedAt
      ? { queueKey: conversation.skill, queueSort: `${conversation.queuedAt}#${conversation.id}` }
      : {}),
  };
}

export function conversationToItem(conversation: Conversation): Item {
  return {
    ...keys.conversation(conversation.id),
    kind: 'conversation',
    id: conversation.id,
    status: conversation.status,
    customerId: conversation.customer.id,
    customerName: conversation.customer.name,
    ...(conversation.customer.email ? { customerEmail: conversation.customer.email } : {}),
    skill: conversation.skill,
    lastSeq: conversation.lastSeq,
    createdAt: conversation.createdAt,
    updatedAt: conversation.updatedAt,
    ...(conversation.queuedAt ? { queuedAt: conversation.queuedAt } : {}),
    ...(conversation.ticket ? ticketAttributes(conversation.ticket) : {}),
    ...(conversation.locale ? { locale: conversation.locale } : {}),
    ...(conversation.visitor ? { visitor: { ...conversation.visitor } } : {}),
    ...(conversation.attrs ? { customerAttrs: { ...conversation.attrs } } : {}),
    // Who spoke last on each side (a conversation created with its first message).
    ...(conversation.lastCustomerSeq !== undefined ? { lastCustomerSeq: conversation.lastCustomerSeq } : {}),
    ...(conversation.lastCustomerAt ? { lastCustomerAt: conversation.lastCustomerAt } : {}),
    ...(conversation.lastAgentSeq !== undefined ? { lastAgentSeq: conversation.lastAgentSeq } : {}),
    ...(conversation.lastAgentAt ? { lastAgentAt: conversation.lastAgentAt } : {}),
    ...indexAttributes(conversation),
  };
}

export function itemToConversation(item: Item): Conversation {
  const agentId = str(item, 'agentId');
  const closedById = str(item, 'closedById');
  const ratingScore = typeof item.ratingScore === 'number' ? item.ratingScore : undefined;
  const email = str(item, 'customerEmail');
  const ticket = item.status === 'ticket' ? itemToTicket(item) : undefined;
  const offers = itemToOffers(item);
  return {
    id: String(item.id),
    status: item.status as ConversationStatus,
    customer: { id: String(item.customerId), name: String(item.customerName), ...(email ? { email } : {}) },
    ...(agentId ? { agent: { id: agentId, name: str(item, 'agentName') ?? agentId } } : {}),
    skill: String(item.skill),
    lastSeq: Number(item.lastSeq ?? 0),
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
    ...(str(item, 'queuedAt') ? { queuedAt: str(item, 'queuedAt') } : {}),
    ...(str(item, 'assignedAt') ? { assignedAt: str(item, 'assignedAt') } : {}),
    ...(str(item, 'firstAssignedAt') ? { firstAssignedAt: str(item, 'firstAssignedAt') } : {}),
    ...(str(item, 'closedAt') ? { closedAt: str(item, 'closedAt') } : {}),
    ...(closedById ? { closedBy: { id: closedById, role: str(item, 'closedByRole') ?? 'system' } } : {}),
    ...(ratingScore !== undefined
      ? { rating: { score: ratingScore, ...(str(item, 'ratingComment') ? { comment: str(item, 'ratingComment') } : {}) } }
      : {}),
    ...(str(item, 'noAgentNoticeAt') ? { noAgentNoticeAt: str(item, 'noAgentNoticeAt') } : {}),
    ...(str(item, 'locale') ? { locale: str(item, 'locale') } : {}),
    ...visitorOf(item),
    ...(typeof item.epoch === 'number' ? { epoch: item.epoch } : {}),
    ...activityOf(item),
    ...(ticket ? { ticket } : {}),
    ...(offers ? { offers } : {}),
  };
}

export function messageToItem(message: Message): Item {
  return {
    ...keys.message(message.conversationId, message.seq),
    kind: 'message',
    conversationId: message.conversationId,
    seq: message.seq,
    messageId: message.messageId,
    ...(message.clientMsgId ? { clientMsgId: message.clientMsgId } : {}),
    senderId: message.sender.id,
    senderRole: message.sender.role,
    senderName: message.sender.name,
    text: message.text,
    ...(message.attachment ? { attachment: { ...message.attachment } } : {}),
    ts: message.ts,
  };
}

export function itemToMessage(item: Item): Message {
  const clientMsgId = str(item, 'clientMsgId');
  return {
    conversationId: String(item.conversationId),
    seq: Number(item.seq),
    messageId: String(item.messageId),
    ...(clientMsgId ? { clientMsgId } : {}),
    sender: { id: String(item.senderId), role: item.senderRole as SenderRole, name: String(item.senderName) },
    text: String(item.text),
    ...attachmentOf(item),
    ts: String(item.ts),
  };
}

/** A message's attachment (issue 11): a map attribute, absent on messages without one. */
function attachmentOf(item: Item): { attachment?: Attachment } {
  const value = item.attachment as Record<string, unknown> | undefined;
  if (!value || typeof value.id !== 'string') return {};
  const contentType = String(value.contentType);
  return {
    attachment: {
      id: value.id,
      name: String(value.name),
      contentType,
      size: Number(value.size),
      kind: value.kind === 'image' ? 'image' : 'file',
    },
  };
}
