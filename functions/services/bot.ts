import { type AutoReplyMatcher, botMessageIds, HANDOFF_NOTICE } from '../domain/auto-replies';
import type { Conversation } from '../domain/conversation';
import { assertCanParticipate, participantIds, toSummary } from '../domain/conversation';
import { NotFoundError } from '../domain/errors';
import { SYSTEM_SENDER, type UserRef } from '../domain/identity';
import type { Message } from '../domain/message';
import type { HandoffFrame } from '../protocol/client-frames';
import type { ServerFrame } from '../protocol/server-frames';
import { messageFrame } from '../protocol/server-frames';
import { botFor } from './auto-replies';
import { broadcast } from './broadcast';
import type { Caller, Ports } from './context';

/**
 * The first-line bot (docs/auto-replies.md). A conversation in `bot` is in no queue and holds no
 * agent; every customer message there is answered by the first matching rule, and a message no
 * rule matches (or the `handoff` action) moves it to the queue once, with a system notice.
 * Every bot message is a stored message with a deterministic clientMsgId, so a retried start
 * or message stores it once.
 */

/** Reads a skill's bot at most once per request, and only when something needs it. */
export function lazyBot(ports: Ports, skill: string): () => Promise<AutoReplyMatcher | undefined> {
  let bot: Promise<AutoReplyMatcher | undefined> | undefined;
  return () => {
    bot ??= botFor(ports, skill);
    return bot;
  };
}

// Read here rather than through conversations.ts, which calls into this module.
async function getConversation(ports: Ports, conversationId: string): Promise<Conversation> {
  const conversation = await ports.conversations.get(conversationId);
  if (!conversation) throw new NotFoundError(`Conversation ${conversationId} does not exist`);
  return conversation;
}

/** What the bot did after a customer message: frames for the caller's reply, and the conversation now. */
export interface BotTurn {
  readonly frames: ServerFrame[];
  readonly conversation: Conversation;
}

interface Push {
  /** Left out of the push: it gets the frame in its reply. */
  readonly exceptConnectionId?: string | undefined;
}

const except = (push: Push) => (push.exceptConnectionId ? { exceptConnectionId: push.exceptConnectionId } : {});

/** Stores a bot or system message once (by clientMsgId) and pushes it to the participants. */
async function say(
  ports: Ports,
  conversation: Conversation,
  draft: { sender: UserRef; text: string; clientMsgId: string },
  push: Push,
): Promise<{ frame: ServerFrame; conversation: Conversation }> {
  const result = await ports.conversations.appendMessage(conversation, draft, ports.clock.now().toISOString());
  const frame = messageFrame(result.message);
  if (!result.duplicate || result.resumed) await broadcast(ports, participantIds(conversation), frame, except(push));
  return { frame, conversation: { ...conversation, lastSeq: Math.max(conversation.lastSeq, result.message.seq) } };
}

/**
 * bot -> queued: the notice first (so an agent meets it in the history, and a retry after a
 * crash finds it stored), then the conditional move, the routing trigger and the new summary.
 * Nothing changes when the conversation has left `bot` meanwhile.
 */
export async function handOff(
  ports: Ports,
  conversation: Conversation,
  push: Push & { readonly noticeToCaller: boolean },
): Promise<BotTurn> {
  const notice = await say(
    ports,
    conversation,
    { sender: SYSTEM_SENDER, text: HANDOFF_NOTICE, clientMsgId: botMessageIds.handoff(conversation.id) },
    push.noticeToCaller ? {} : push,
  );
  const queued = await ports.conversations.botToQueue(conversation.id, conversation.skill, ports.clock.now().toISOString());
  if (!queued) return { frames: [notice.frame], conversation: await getConversation(ports, conversation.id) };
  ports.log.info('Bot conversation handed to the queue', { conversationId: conversation.id, skill: conversation.skill });
  await ports.routingQueue.publish({ type: 'conversation.queued', conversationId: queued.id, skill: queued.skill });
  await broadcast(ports, participantIds(queued), { type: 'conversation', conversation: toSummary(queued) }, except(push));
  return { frames: [notice.frame], conversation: queued };
}

/**
 * After a customer's message is stored: the welcome after the conversation's first message
 * (bot or not), then, in `bot`, the answer of the first matching rule, or the handoff when
 * none matches. Reads the rules only when one of those can happen.
 */
export async function answerCustomer(
  ports: Ports,
  caller: Caller,
  conversation: Conversation,
  message: Message,
  options: { readonly first: boolean; readonly bot: () => Promise<AutoReplyMatcher | undefined> },
): Promise<BotTurn> {
  if (caller.user.role !== 'customer' || (!options.first && conversation.status !== 'bot')) return { frames: [], conversation };
  const push: Push = { exceptConnectionId: caller.connectionId };
  const bot = await options.bot();
  const frames: ServerFrame[] = [];
  let current = conversation;
  const welcome = options.first ? bot?.welcome(current.locale, message.text) : undefined;
  if (bot && welcome) {
    const said = await say(ports, current, { sender: bot.sender(), text: welcome, clientMsgId: botMessageIds.welcome(current.id) }, push);
    frames.push(said.frame);
    current = said.conversation;
  }
  if (current.status !== 'bot') return { frames, conversation: current };
  const match = bot?.match(message.text, current.locale);
  if (bot && match) {
    const said = await say(
      ports,
      current,
      { sender: bot.sender(), text: match.answer, clientMsgId: botMessageIds.answer(current.id, message.seq) },
      push,
    );
    return { frames: [...frames, said.frame], conversation: said.conversation };
  }
  const handed = await handOff(ports, current, { ...push, noticeToCaller: false });
  return { frames: [...frames, ...handed.frames], conversation: handed.conversation };
}

/**
 * `handoff`: bot -> queued at once. On a conversation not in `bot` it answers the current
 * `conversation` frame and changes nothing.
 */
export async function handoff(ports: Ports, caller: Caller, frame: HandoffFrame): Promise<ServerFrame> {
  const conversation = await getConversation(ports, frame.conversationId);
  assertCanParticipate(caller.user, conversation);
  if (conversation.status !== 'bot') return { type: 'conversation', conversation: toSummary(conversation) };
  // The notice reaches every connection now; the caller's reply is the new summary.
  const handed = await handOff(ports, conversation, { exceptConnectionId: caller.connectionId, noticeToCaller: true });
  return { type: 'conversation', conversation: toSummary(handed.conversation) };
}
