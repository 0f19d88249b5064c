import type { Conversation } from '../domain/conversation';
import { participantIds } from '../domain/conversation';
import { SYSTEM_SENDER } from '../domain/identity';
import { estimateWaitSeconds } from '../domain/queue';
import { epochOf } from '../domain/routing-claims';
import type { QueueOutlook } from '../ports/agent-presence';
import { messageFrame } from '../protocol/server-frames';
import { broadcast } from './broadcast';
import type { Ports } from './context';

/** How many waiting conversations per skill are told their new position after the queue moves. */
export const POSITION_UPDATES_PER_SKILL = 50;

export const NO_AGENT_NOTICE =
  'No agent is online for this right now. You stay in the queue and we will answer as soon as someone is available.';

/**
 * Each skill's outlook (agents serving it, recent handling time), read from Redis at most once
 * per router batch: the claim script returns it too, so a drained skill costs no extra read.
 */
export class Outlooks {
  private readonly known = new Map<string, Promise<QueueOutlook>>();

  constructor(private readonly ports: Pick<Ports, 'presence'>) {}

  remember(skill: string, outlook: QueueOutlook): void {
    this.known.set(skill, Promise.resolve(outlook));
  }

  get(skill: string): Promise<QueueOutlook> {
    let outlook = this.known.get(skill);
    if (!outlook) {
      outlook = this.ports.presence.outlook(skill);
      this.known.set(skill, outlook);
    }
    return outlook;
  }
}

async function tellPosition(ports: Ports, conversation: Conversation, position: number, outlook: QueueOutlook): Promise<void> {
  await broadcast(ports, [conversation.customer.id], {
    type: 'queued',
    conversationId: conversation.id,
    position,
    etaSeconds: estimateWaitSeconds(position, outlook.agentsServing, outlook.averageHandleSeconds),
    // Clients hide the ETA when nobody serving the skill is online (it would be invented).
    agentsOnline: outlook.agentsServing,
  });
}

/** Once per time in the queue: nobody serving the skill is online (a conditional write makes it once). */
async function noticeNoAgent(ports: Ports, conversation: Conversation, outlook: QueueOutlook): Promise<void> {
  if (outlook.agentsServing > 0 || conversation.noAgentNoticeAt) return;
  const now = ports.clock.now().toISOString();
  if (!(await ports.conversations.markNoAgentNotice(conversation.id, now))) return;
  const { message } = await ports.conversations.appendMessage(
    conversation,
    { sender: SYSTEM_SENDER, text: NO_AGENT_NOTICE, clientMsgId: `notice:no-agent:${conversation.id}:${epochOf(conversation)}` },
    now,
  );
  await broadcast(ports, participantIds(conversation), messageFrame(message));
}

/** A skill's queue as the drain last saw it, for telling positions without reading it again. */
export interface QueueView {
  /** Still waiting, from the head of the queue, in order: the last page read minus what the drain took off it. */
  readonly waiting: readonly Conversation[];
  /** The last page read reached the end of the queue. */
  readonly complete: boolean;
  /** Conversations the drain took off that page (assigned, or found moved on). */
  readonly taken: number;
}

export interface PositionRequest {
  readonly skill: string;
  /** The queue moved (someone left it or was put back at its front): everyone listed is told. */
  readonly moved: boolean;
  /** Conversations that just joined the queue: told where they stand even when it did not move. */
  readonly joined: readonly Pick<Conversation, 'id' | 'skill'>[];
  /** The queue as a drain just read it: used instead of reading it again when it still holds the head of the queue. */
  readonly view?: QueueView;
}

/**
 * The first POSITION_UPDATES_PER_SKILL waiting, and whether that list can miss someone further
 * back (it was cut at the limit). From the drain's view when it is exact (the whole queue, or a
 * page nothing was taken off); otherwise one fresh read.
 */
async function headOfQueue(ports: Ports, request: PositionRequest): Promise<{ waiting: readonly Conversation[]; cut: boolean }> {
  const view = request.view;
  if (view && (view.complete || (view.taken === 0 && view.waiting.length >= POSITION_UPDATES_PER_SKILL))) {
    return {
      waiting: view.waiting.slice(0, POSITION_UPDATES_PER_SKILL),
      cut: !view.complete || view.waiting.length > POSITION_UPDATES_PER_SKILL,
    };
  }
  const waiting = await ports.conversations.listQueued(request.skill, POSITION_UPDATES_PER_SKILL);
  return { waiting, cut: waiting.length >= POSITION_UPDATES_PER_SKILL };
}

/**
 * Tells one skill's waiting customers where they stand, from one read of the queue (or the
 * drain's view of it, see headOfQueue).
 * When the queue moved, the first POSITION_UPDATES_PER_SKILL are told (every position behind
 * the head changed); otherwise only the conversations that joined, since a conversation joining
 * at the back changes nobody else's position. A joined conversation no longer in the queue
 * (assigned or closed meanwhile) is told nothing. Returns the ids told.
 */
export async function tellQueue(ports: Ports, request: PositionRequest, outlooks: Outlooks): Promise<Set<string>> {
  const { waiting, cut } = await headOfQueue(ports, request);
  if (waiting.length === 0) return new Set();
  const outlook = await outlooks.get(request.skill);
  const joinedIds = new Set(request.joined.map((conversation) => conversation.id));
  const told = new Set<string>();
  const listed = waiting.map(async (conversation, index) => {
    const joined = joinedIds.has(conversation.id);
    if (!request.moved && !joined) return;
    told.add(conversation.id);
    if (joined) await noticeNoAgent(ports, conversation, outlook);
    await tellPosition(ports, conversation, index + 1, outlook);
  });
  // Further back than the page read: only when the page was full can a joined one be there.
  const unlisted = !cut ? [] : request.joined.filter((conversation) => !waiting.some((other) => other.id === conversation.id));
  const deeper = unlisted.map(async (joined) => {
    const conversation = await ports.conversations.get(joined.id);
    if (conversation?.status !== 'queued' || conversation.skill !== request.skill) return;
    told.add(conversation.id);
    await noticeNoAgent(ports, conversation, outlook);
    await tellPosition(ports, conversation, (await ports.conversations.countAhead(conversation)) + 1, outlook);
  });
  await Promise.all([...listed, ...deeper]);
  return told;
}

/** After a queue moves outside the router (a close or a transfer out of it): its first customers learn their new position. */
export async function refreshPositions(ports: Ports, skill: string): Promise<Set<string>> {
  return tellQueue(ports, { skill, moved: true, joined: [] }, new Outlooks(ports));
}
