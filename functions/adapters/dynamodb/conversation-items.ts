import type { Conversation, ConversationStatus } from '../../domain/conversation';
import type { Message } from '../../domain/message';
import type { SenderRole } from '../../domain/identity';
import { keys } from './keys';

type Item = Record<string, unknown>;

const str = (item: Item, name: string): string | undefined => (typeof item[name] === 'string' ? (item[name] as string) : undefined);

/** Index attributes a conversation carries in a given status (sparse GSIs). */
export function indexAttributes(
  conversation: Pick<Conversation, 'id' | 'status' | 'skill' | 'createdAt' | 'customer'> & {
    agent?: { id: string };
    assignedAt?: string;
    queuedAt?: string;
  },
): Item {
  return {
    customerKey: conversation.customer.id,
    customerSort: conversation.id,
    statusKey: conversation.status,
    statusSort: conversation.id,
    ...(conversation.agent && conversation.assignedAt
      ? { agentKey: conversation.agent.id, agentSort: `${conversation.assignedAt}#${conversation.id}` }
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
    ...(conversation.locale ? { locale: conversation.locale } : {}),
    ...indexAttributes(conversation),
  };
}

export function itemToConversation(item: Item): Conversation {
  const agentId = str(item, 'agentId');
  const closedById = str(item, 'closedById');
  const ratingScore = typeof item.ratingScore === 'number' ? item.ratingScore : undefined;
  const email = str(item, 'customerEmail');
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
    ...(str(item, 'closedAt') ? { closedAt: str(item, 'closedAt') } : {}),
    ...(closedById ? { closedBy: { id: closedById, role: str(item, 'closedByRole') ?? 'system' } } : {}),
    ...(ratingScore !== undefined
      ? { rating: { score: ratingScore, ...(str(item, 'ratingComment') ? { comment: str(item, 'ratingComment') } : {}) } }
      : {}),
    ...(str(item, 'noAgentNoticeAt') ? { noAgentNoticeAt: str(item, 'noAgentNoticeAt') } : {}),
    ...(item.closedReason === 'abandoned' ? { closedReason: 'abandoned' as const } : {}),
    ...(str(item, 'locale') ? { locale: str(item, 'locale') } : {}),
    ...(typeof item.epoch === 'number' ? { epoch: item.epoch } : {}),
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
    ts: String(item.ts),
  };
}
