import { participantIds } from '../domain/conversation';
import { broadcast } from './broadcast';
import type { Ports } from './context';
import { closedFrame } from './conversations';
import { conversationClosed } from '../domain/event-facts';
import { publishEvents } from './domain-events';

export interface BotSweepReport {
  /** `bot` conversations seen. */
  readonly inBot: number;
  /** Closed as abandoned by this run. */
  readonly closed: number;
}

/**
 * A `bot` conversation holds no agent and is in no queue, so nothing else would ever end it:
 * one whose customer has sent nothing for ABANDON_AFTER_SECONDS is closed by the system with
 * reason `abandoned` (the customer may start again at any time). Reads the `bot` partition of
 * the status index (no Scan; work proportional to the conversations in `bot`); the close is
 * conditional on still being `bot` and idle, so running twice, or racing a new message, is safe.
 */
export async function closeIdleBotConversations(ports: Ports): Promise<BotSweepReport> {
  const now = ports.clock.now();
  const idleSince = new Date(now.getTime() - ports.settings.abandonAfterSeconds * 1000).toISOString();
  const inBot = await ports.conversations.listAllWithStatus('bot');
  let closed = 0;
  for (const conversation of inBot) {
    if (conversation.updatedAt > idleSince) continue;
    const done = await ports.conversations.closeIdleBot(conversation.id, idleSince, now.toISOString());
    if (!done) continue;
    closed++;
    ports.log.info('Idle bot conversation closed as abandoned', { conversationId: conversation.id });
    await broadcast(ports, participantIds(done), closedFrame(done, now.toISOString()));
    await publishEvents(ports, [conversationClosed(done)]);
  }
  return { inBot: inBot.length, closed };
}
