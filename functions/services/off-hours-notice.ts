import { awayNotice, noticeLanguage } from '../domain/away-notice';
import { canonicalTimeZone } from '../domain/business-hours';
import type { Conversation } from '../domain/conversation';
import { SYSTEM_SENDER } from '../domain/identity';
import type { Message } from '../domain/message';
import type { StartFrame } from '../protocol/client-frames';
import { availabilityOf } from './availability';
import type { Ports } from './context';

export type Visitor = NonNullable<StartFrame['visitor']>;

/** The deterministic client message id of a conversation's off-hours notice: a retried start stores it once. */
export const offHoursNoticeId = (conversationId: string) => `off-hours:${conversationId}`;

/**
 * When a customer starts a conversation the team cannot answer now (closed, or nobody serving
 * the skill online), stores a system notice saying so, worded in the visitor's language and
 * time zone (the schedule's when the visitor sent none or an unknown one). It takes the
 * conversation's no-agent mark first, the same mark the router's no-agent notice takes, so a
 * customer never gets both. Returns the stored notice, or undefined when none was due.
 */
export async function noticeIfAway(ports: Ports, conversation: Conversation, visitor: Visitor | undefined): Promise<Message | undefined> {
  const availability = await availabilityOf(ports, conversation.skill);
  const now = ports.clock.now();
  const text = awayNotice({
    language: noticeLanguage(visitor?.locale),
    timeZone: (visitor?.timeZone && canonicalTimeZone(visitor.timeZone)) || availability.timeZone,
    now,
    open: availability.open,
    agentsOnline: availability.agentsOnline,
    ...(availability.nextOpening ? { nextOpening: new Date(availability.nextOpening) } : {}),
    ...(availability.offHoursMessage ? { offHoursMessage: availability.offHoursMessage } : {}),
  });
  if (!text) return undefined;
  const at = now.toISOString();
  if (!(await ports.conversations.markNoAgentNotice(conversation.id, at))) return undefined;
  const { message } = await ports.conversations.appendMessage(
    conversation,
    { sender: SYSTEM_SENDER, text, clientMsgId: offHoursNoticeId(conversation.id) },
    at,
  );
  ports.log.info('Off-hours notice stored', {
    conversationId: conversation.id,
    open: availability.open,
    agentsOnline: availability.agentsOnline,
  });
  return message;
}
