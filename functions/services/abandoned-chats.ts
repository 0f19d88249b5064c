import {
  ABANDONED_CLOSE_TEXT,
  abandonedCloseClientMsgId,
  abandonNoticeClientMsgId,
  abandonNoticeText,
  abandonStep,
  type AbandonSettings,
  type AbandonStep,
} from '../domain/abandonment';
import type { Conversation } from '../domain/conversation';
import { participantIds } from '../domain/conversation';
import { SYSTEM_SENDER } from '../domain/identity';
import { messageFrame } from '../protocol/server-frames';
import { broadcast } from './broadcast';
import type { Ports } from './context';
import { closedFrame } from './conversations';
import { afterClose } from './routing';

export interface AbandonSweepReport {
  /** Assigned conversations read from the index. */
  readonly checked: number;
  /** Candidates by time whose customer still had a live connection: left alone. */
  readonly customerConnected: number;
  readonly noticed: number;
  readonly closed: number;
  /** Candidates whose step failed (logged; the next run tries again). */
  readonly failed: number;
}

const settingsOf = (ports: Ports): AbandonSettings => ({
  afterSeconds: ports.settings.abandonAfterSeconds,
  closeAfterSeconds: ports.settings.abandonCloseAfterSeconds,
});

const sameStep = (a: AbandonStep | undefined, b: AbandonStep): boolean => a?.kind === b.kind && a.agentSeq === b.agentSeq;

/**
 * Abandoned chats (docs/routing.md): reads the assigned conversations from the status index
 * (no Scan; time proportional to the open conversations), decides by time alone which are
 * candidates (domain/abandonment.ts), and only for those reads the conversation again
 * (consistently: the index lags) and the customer's connections (one Query each). Safe to run
 * twice or concurrently: the notice has a deterministic clientMsgId and a conditional mark,
 * the close is a conditional write that any customer message since the agent's cancels.
 */
export async function sweepAbandonedChats(ports: Ports): Promise<AbandonSweepReport> {
  const settings = settingsOf(ports);
  const assigned = await ports.conversations.listAllAssigned();
  const counts = { checked: assigned.length, customerConnected: 0, noticed: 0, closed: 0, failed: 0 };
  for (const listed of assigned) {
    const step = abandonStep(listed, ports.clock.now(), settings);
    if (!step) continue;
    try {
      const outcome = await takeStep(ports, listed.id, step, settings);
      if (outcome !== 'skipped') counts[outcome] += 1;
    } catch (error) {
      counts.failed += 1;
      ports.log.error('Abandoned-chat step failed; the next sweep tries again', { conversationId: listed.id, step: step.kind, error });
    }
  }
  return counts;
}

async function takeStep(
  ports: Ports,
  conversationId: string,
  step: AbandonStep,
  settings: AbandonSettings,
): Promise<'noticed' | 'closed' | 'customerConnected' | 'skipped'> {
  const current = await ports.conversations.get(conversationId);
  if (!current || !sameStep(abandonStep(current, ports.clock.now(), settings), step)) return 'skipped';
  const nowSeconds = Math.floor(ports.clock.now().getTime() / 1000);
  if ((await ports.connections.listForUser(current.customer.id, nowSeconds)).length > 0) return 'customerConnected';
  if (step.kind === 'notice') return (await sendNotice(ports, current, step.agentSeq, settings)) ? 'noticed' : 'skipped';
  return (await closeAbandoned(ports, current, step.agentSeq)) ? 'closed' : 'skipped';
}

/**
 * Stores and pushes the notice, then records it (the close timer starts at the message's own
 * time). Storing first means a crash in between leaves a stored notice that the next run finds
 * (same clientMsgId) and records, never a recorded notice nobody was sent.
 */
async function sendNotice(ports: Ports, conversation: Conversation, agentSeq: number, settings: AbandonSettings): Promise<boolean> {
  const { message, duplicate, resumed } = await ports.conversations.appendMessage(
    conversation,
    {
      sender: SYSTEM_SENDER,
      text: abandonNoticeText(settings.closeAfterSeconds),
      clientMsgId: abandonNoticeClientMsgId(conversation.id, agentSeq),
    },
    ports.clock.now().toISOString(),
  );
  if (!duplicate || resumed) await broadcast(ports, participantIds(conversation), messageFrame(message));
  const marked = await ports.conversations.markAbandonNotice(conversation.id, agentSeq, message.ts);
  if (marked) ports.log.info('Abandoned chat: asked whether the customer is still there', { conversationId: conversation.id, agentSeq });
  return marked;
}

/**
 * The conditional close, why (in the thread and on the `closed` frame, to both sides), then
 * what a close always does (the agent's claim released, its queues drained).
 */
async function closeAbandoned(ports: Ports, conversation: Conversation, agentSeq: number): Promise<boolean> {
  const now = ports.clock.now().toISOString();
  const closed = await ports.conversations.closeAbandoned(conversation.id, agentSeq, now);
  if (!closed) return false;
  ports.metrics.count('ConversationsAbandoned');
  ports.log.info('Abandoned chat closed: the customer did not answer', { conversationId: closed.id, agentId: closed.agent?.id });
  const everyone = participantIds(closed);
  // The sweep never sees a closed conversation again, so nothing after the stored close may
  // stop `closed` going out: the thread's note is best effort (the frame carries the reason).
  const note = await ports.conversations
    .appendMessage(closed, { sender: SYSTEM_SENDER, text: ABANDONED_CLOSE_TEXT, clientMsgId: abandonedCloseClientMsgId(closed.id) }, now)
    .catch((error: unknown) => {
      ports.log.warn('Abandoned chat closed without its note in the thread', { conversationId: closed.id, error });
      return undefined;
    });
  if (note) await broadcast(ports, everyone, messageFrame(note.message));
  await broadcast(ports, everyone, closedFrame(closed, now));
  // Capacity offered only once both sides heard; if this fails, reconcile repairs the claim.
  await afterClose(ports, closed);
  return true;
}
