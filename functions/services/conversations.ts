import type { Conversation } from '../domain/conversation';
import { assertCanClose, assertCanRate, participantIds, toSummary } from '../domain/conversation';
import type { VisitorContext } from '../domain/customer-context';
import { ConflictError, ForbiddenError, NotFoundError } from '../domain/errors';
import { displayName, userRef } from '../domain/identity';
import { type Message, validateText } from '../domain/message';
import type { Opened } from '../ports/conversation-store';
import type { CloseFrame, RateFrame, StartFrame } from '../protocol/client-frames';
import type { ServerFrame } from '../protocol/server-frames';
import { ackFrame, messageFrame } from '../protocol/server-frames';
import { broadcast, readingConnectionsOnce } from './broadcast';
import type { Caller, Ports } from './context';
import { assertSkillConfigured } from './skills';
import { answerCustomer, lazyBot } from './bot';
import { noticeIfAway, type Visitor } from './off-hours-notice';
import { afterClose } from './routing';
import { epochOf } from '../domain/routing-claims';
import { closeStep, pushAppended } from '../domain/announcements';
import { answerCallerFirst } from './answer-first';
import { conversationRated, conversationStarted, messageCreated } from '../domain/event-facts';
import { publishEvents } from './domain-events';

export async function getConversation(ports: Ports, conversationId: string): Promise<Conversation> {
  const conversation = await ports.conversations.get(conversationId);
  if (!conversation) throw new NotFoundError(`Conversation ${conversationId} does not exist`);
  return conversation;
}

/**
 * The customer's open conversation, created if there is none. Re-publishing the routing
 * trigger for a conversation still queued is harmless (the router is idempotent) and means a
 * start whose first trigger was lost is never stranded. A new conversation the team cannot
 * answer now gets the off-hours notice before the router hears of it (off-hours-notice.ts),
 * unless `deferRouting`: then the caller stores its first message, calls `afterOpen` itself.
 */
export async function openConversation(
  ports: Ports,
  caller: Caller,
  options: {
    skill?: string;
    profile?: { name?: string; email?: string };
    /** `bot` when the first-line bot answers the first question (no queue, no routing trigger). */
    status?: 'bot' | 'queued';
    locale?: string;
    /** Where the chat started (start.visitor), kept for staff. */
    visitor?: VisitorContext;
    deferRouting?: boolean;
    /**
     * The start's text: stored as message 1 with a new conversation (an open one is returned
     * as it is, and the caller appends it). Without a clientMsgId it is `start:<id>`.
     */
    firstMessage?: { text: string; clientMsgId?: string };
  },
): Promise<Opened> {
  const { user } = caller;
  // The pre-chat form's email first; else the one the site vouched for.
  const email = options.profile?.email ?? caller.customer?.email;
  if (user.role !== 'customer') throw new ForbiddenError('Only customers start conversations');
  const now = ports.clock.now().toISOString();
  const id = ports.ids.next();
  const first = options.firstMessage;
  const result = await ports.conversations.openFor({
    id,
    customer: {
      id: user.id,
      name: options.profile?.name ?? displayName(user),
      ...(email ? { email } : {}),
    },
    skill: options.skill ?? ports.settings.defaultSkill,
    now,
    ...(options.status ? { status: options.status } : {}),
    ...(options.locale ? { locale: options.locale } : {}),
    ...(options.visitor && Object.keys(options.visitor).length > 0 ? { visitor: options.visitor } : {}),
    ...(caller.customer?.attrs ? { attrs: caller.customer.attrs } : {}),
    ...(first
      ? {
          firstMessage: {
            messageId: ports.ids.next(),
            clientMsgId: first.clientMsgId ?? `start:${id}`,
            sender: userRef(user),
            text: first.text,
          },
        }
      : {}),
  });
  if (result.created) {
    ports.metrics.count('ConversationsStarted');
    // One publish for the start and its first message.
    const stored = result.firstMessage;
    await publishEvents(ports, [
      conversationStarted(result.conversation),
      ...(stored ? [messageCreated(result.conversation, stored)] : []),
    ]);
    await broadcast(
      ports,
      [user.id],
      { type: 'conversation', conversation: toSummary(result.conversation) },
      {
        ...(caller.connectionId ? { exceptConnectionId: caller.connectionId } : {}),
      },
    );
  }
  if (!options.deferRouting) {
    const notice = await afterOpen(ports, result, undefined);
    if (notice) await broadcast(ports, participantIds(result.conversation), messageFrame(notice));
  }
  return result;
}

/**
 * Once a conversation is open (and its first message stored): the off-hours notice if it is
 * new and the team cannot answer, then the routing trigger while it waits. The notice comes
 * first so the router, finding the no-agent mark taken, adds no second one. Returns the notice
 * for the caller to deliver.
 */
async function afterOpen(
  ports: Ports,
  opened: { conversation: Conversation; created: boolean },
  visitor: Visitor | undefined,
): Promise<Message | undefined> {
  const { conversation } = opened;
  const notice = opened.created && conversation.status === 'queued' ? await noticeIfAway(ports, conversation, visitor) : undefined;
  if (conversation.status === 'queued') {
    await ports.routingQueue.publish({ type: 'conversation.queued', conversationId: conversation.id, skill: conversation.skill });
  }
  return notice;
}

/**
 * Whether the bot answers a start's first question: the conversation then opens in `bot`
 * (or an open one that is still empty and waiting moves there) instead of the queue.
 */
async function openForStart(ports: Ports, caller: Caller, frame: StartFrame, bot: ReturnType<typeof lazyBot>): Promise<Opened> {
  const skill = frame.skill ?? ports.settings.defaultSkill;
  const locale = frame.visitor?.locale;
  const answered = frame.text !== undefined && (await bot())?.match(frame.text, locale) !== undefined;
  const opened = await openConversation(ports, caller, {
    skill,
    ...(frame.profile ? { profile: frame.profile } : {}),
    status: answered ? 'bot' : 'queued',
    ...(locale ? { locale } : {}),
    ...(frame.visitor ? { visitor: visitorContextOf(frame.visitor) } : {}),
    deferRouting: true,
    ...(frame.text !== undefined
      ? { firstMessage: { text: frame.text, ...(frame.clientMsgId ? { clientMsgId: frame.clientMsgId } : {}) } }
      : {}),
  });
  const open = opened.conversation;
  if (!answered || opened.created || open.status !== 'queued' || open.lastSeq !== 0 || open.skill !== skill) return opened;
  const moved = await ports.conversations.queuedToBot(open.id, ports.clock.now().toISOString(), epochOf(open));
  if (!moved) return opened;
  await broadcast(
    ports,
    [caller.user.id],
    { type: 'conversation', conversation: toSummary(moved) },
    {
      ...(caller.connectionId ? { exceptConnectionId: caller.connectionId } : {}),
    },
  );
  return { conversation: moved, created: false };
}

/** The parts of `start.visitor` kept on the conversation for staff (the locale is kept apart). */
function visitorContextOf(visitor: NonNullable<StartFrame['visitor']>): VisitorContext {
  return {
    ...(visitor.page ? { page: visitor.page } : {}),
    ...(visitor.referrer ? { referrer: visitor.referrer } : {}),
    ...(visitor.userAgent ? { userAgent: visitor.userAgent } : {}),
    ...(visitor.timeZone ? { timeZone: visitor.timeZone } : {}),
  };
}

/**
 * `start`: replies `conversation`. With `text`, the text becomes a message (idempotent by
 * clientMsgId, or once per conversation without one) and its `ack` is sent first; the
 * welcome and the bot's answer (docs/auto-replies.md) follow it, then `conversation`. A new
 * conversation the team cannot answer ends the reply with the off-hours notice.
 */
export async function start(ports: Ports, caller: Caller, frame: StartFrame): Promise<ServerFrame[]> {
  if (frame.text !== undefined) validateText(frame.text);
  if (caller.user.role !== 'customer') throw new ForbiddenError('Only customers start conversations');
  // Before anything is stored: a typo or an invented skill must not queue anyone forever.
  if (frame.skill !== undefined) await assertSkillConfigured(ports, frame.skill);
  // The start's pushes (its conversation, message, bot answers, notice) read each user's connections once.
  const local = readingConnectionsOnce(ports);
  const bot = lazyBot(local, frame.skill ?? ports.settings.defaultSkill);
  const { conversation, created, firstMessage } = await openForStart(local, caller, frame, bot);
  const reply: ServerFrame[] = [];
  const except = caller.connectionId ? { exceptConnectionId: caller.connectionId } : {};
  let current = conversation;
  if (frame.text !== undefined) {
    const clientMsgId = frame.clientMsgId ?? `start:${conversation.id}`;
    const now = ports.clock.now();
    // A new conversation was stored with its first message (its event went with conversation.started).
    const result =
      firstMessage !== undefined
        ? { message: firstMessage, duplicate: false, resumed: false }
        : await ports.conversations.appendMessage(
            conversation,
            { sender: userRef(caller.user), text: frame.text, clientMsgId },
            now.toISOString(),
          );
    // A retry pushes again too: the attempt that stored it may have failed before pushing.
    if (pushAppended(result, now)) {
      await broadcast(local, participantIds(conversation), messageFrame(result.message), except);
      if (firstMessage === undefined) await publishEvents(ports, [messageCreated(conversation, result.message)]);
    }
    if (frame.clientMsgId) reply.push(ackFrame(result.message));
    current = { ...conversation, lastSeq: Math.max(conversation.lastSeq, result.message.seq) };
    const first = created || conversation.lastSeq === 0 || result.message.seq === 1;
    const turn = await answerCustomer(local, caller, current, result.message, {
      first,
      bot: conversation.skill === (frame.skill ?? ports.settings.defaultSkill) ? bot : lazyBot(local, conversation.skill),
    });
    reply.push(...turn.frames);
    current = turn.conversation;
  }
  const notice = await afterOpen(local, { conversation: current, created }, frame.visitor);
  if (notice) current = { ...current, lastSeq: Math.max(current.lastSeq, notice.seq) };
  reply.push({ type: 'conversation', conversation: toSummary(current) });
  if (notice) {
    // The caller reads it after the conversation frame; the customer's other connections now.
    reply.push(messageFrame(notice));
    await broadcast(local, participantIds(current), messageFrame(notice), except);
  }
  return reply;
}

/**
 * `close`: idempotent. The stored close is announced first (`closed` to every participant,
 * the caller included), then the agent's capacity is freed and the router triggered, so no
 * one is offered that capacity before hearing the close. A close that fails after its
 * stored write answers `unavailable`; its retry finds the conversation closed and, within
 * CLOSE_REANNOUNCE_SECONDS, announces it again and re-runs the after-close steps (all
 * idempotent), so the agent hears it and gets its capacity back. Answers nothing more when
 * the caller already got `closed` pushed.
 */
export async function close(ports: Ports, caller: Caller, frame: CloseFrame): Promise<ServerFrame | undefined> {
  const now = ports.clock.now();
  const by = { id: caller.user.id, role: caller.user.role };
  // The usual close, an open conversation closed by its customer, its agent or a supervisor, is
  // one conditional write that also authorizes (no read first). Anything else (not found, not
  // theirs, already closed, an admin) takes the read and says why, or re-announces.
  const direct =
    caller.user.role === 'admin'
      ? undefined
      : await ports.conversations.closeAsParticipant(
          frame.conversationId,
          by,
          now.toISOString(),
          caller.user.role === 'supervisor' ? undefined : caller.user.id,
        );
  let current: Conversation;
  if (direct) {
    current = direct.closed;
    // A customer who gives up waiting abandons the queue.
    if (direct.before.status === 'queued' && caller.user.role === 'customer') ports.metrics.count('ConversationsAbandoned');
  } else {
    const conversation = await getConversation(ports, frame.conversationId);
    assertCanClose(caller.user, conversation);
    current = conversation;
    if (closeStep(conversation, now) === 'store') {
      const closed = await ports.conversations.close(conversation.id, by, now.toISOString());
      // Not stored: someone closed it meanwhile (a retry racing, the abandon sweep); read what they stored.
      current = closed ?? (await getConversation(ports, conversation.id));
      if (closed && conversation.status === 'queued' && caller.user.role === 'customer') ports.metrics.count('ConversationsAbandoned');
    }
  }
  const answer = closedFrame(current, now.toISOString());
  if (current.status !== 'closed' || closeStep(current, now) === 'reply') return answer;
  const answered = await answerCallerFirst(ports, caller, answer);
  await broadcast(ports, participantIds(current), answer, {
    ...(caller.connectionId ? { exceptConnectionId: caller.connectionId } : {}),
  });
  await afterClose(ports, current);
  return answered ? undefined : answer;
}

/** The `closed` frame; `reason` when the system closed it (e.g. `abandoned`). */
export function closedFrame(conversation: Conversation, fallbackTs: string): ServerFrame {
  return {
    type: 'closed',
    conversationId: conversation.id,
    by: conversation.closedBy ?? { id: 'system', role: 'system' },
    ts: conversation.closedAt ?? fallbackTs,
    ...(conversation.closeReason ? { reason: conversation.closeReason } : {}),
  };
}

/** `rate`: the customer scores a closed conversation; rating again replaces the score. */
export async function rate(ports: Ports, caller: Caller, frame: RateFrame): Promise<ServerFrame> {
  const conversation = await getConversation(ports, frame.conversationId);
  assertCanRate(caller.user, conversation);
  if (conversation.status !== 'closed') throw new ConflictError('A conversation can be rated once it is closed');
  const rating = { score: frame.score, ...(frame.comment ? { comment: frame.comment } : {}) };
  const ratedAt = ports.clock.now().toISOString();
  await ports.conversations.rate(conversation.id, rating, ratedAt);
  await publishEvents(ports, [conversationRated(conversation, rating, ratedAt)]);
  const rated: ServerFrame = { type: 'rated', conversationId: conversation.id, score: frame.score };
  await broadcast(ports, [caller.user.id], rated, {
    ...(caller.connectionId ? { exceptConnectionId: caller.connectionId } : {}),
  });
  return rated;
}
