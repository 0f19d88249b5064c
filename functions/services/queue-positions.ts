import type { Conversation } from '../domain/conversation';
import { participantIds } from '../domain/conversation';
import { SYSTEM_SENDER } from '../domain/identity';
import { estimateWaitSeconds } from '../domain/queue';
import { epochOf } from '../domain/routing-claims';
import type { QueueOutlook } from '../ports/agent-presence';
import type { DirectoryFill, KeyedPush } from '../ports/connection-directory';
import type { ConnectionRecord } from '../ports/connection-store';
import { messageFrame, type ServerFrame } from '../protocol/server-frames';
import { broadcast, deliver } from './broadcast';
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

type QueuedFrame = Extract<ServerFrame, { type: 'queued' }>;

function positionFrame(conversation: Conversation, position: number, outlook: QueueOutlook): QueuedFrame {
  return {
    type: 'queued',
    conversationId: conversation.id,
    position,
    etaSeconds: estimateWaitSeconds(position, outlook.agentsServing, outlook.averageHandleSeconds),
    // Clients hide the ETA when nobody serving the skill is online (it would be invented).
    agentsOnline: outlook.agentsServing,
  };
}

/** One customer's position frame, due from this update. */
interface DuePosition {
  readonly conversation: Conversation;
  readonly frame: QueuedFrame;
  /** It just joined the queue: told even when the frame is the one it was last sent. */
  readonly joined: boolean;
}

/** The key and digest a position frame is remembered under (ConnectionDirectory.lookupPushes). */
function keyedPush({ conversation, frame, joined }: DuePosition): KeyedPush {
  return {
    userId: conversation.customer.id,
    key: `queued:${conversation.id}`,
    digest: `${conversation.skill}|${frame.position}|${frame.etaSeconds}|${frame.agentsOnline}`,
    force: joined,
  };
}

/**
 * Sends the due position frames, except a frame a customer was already sent (the same
 * position, ETA and agents online, remembered in the connection directory's store): with one
 * Redis command that also reads the recipients' connections, instead of one Query each. What
 * the directory does not know is Queried and filled back; when it cannot be read at all, every
 * frame goes out and every customer is Queried. A frame is remembered only once it reached a
 * live connection, so a customer who was offline hears its position at the next update.
 * Returns the conversations told.
 */
async function sendPositions(ports: Ports, due: readonly DuePosition[]): Promise<string[]> {
  const directory = ports.connectionDirectory;
  const lookup = directory && due.length > 0 ? await directory.lookupPushes(due.map(keyedPush)) : undefined;
  if (!directory || !lookup) {
    await Promise.all(due.map((position) => broadcast(ports, [position.conversation.customer.id], position.frame)));
    return due.map((position) => position.conversation.id);
  }
  const nowSeconds = Math.floor(ports.clock.now().getTime() / 1000);
  const fills: DirectoryFill[] = [];
  const sent: KeyedPush[] = [];
  const told: string[] = [];
  await Promise.all(
    due.map(async (position) => {
      const push = keyedPush(position);
      if (lookup.unchanged.has(push.key)) return;
      told.push(position.conversation.id);
      const known = lookup.known.get(push.userId);
      let connections: readonly ConnectionRecord[];
      if (known) {
        connections = known.filter((connection) => connection.expiresAt > nowSeconds);
      } else {
        connections = await ports.connections.listForUser(push.userId, nowSeconds);
        fills.push({ userId: push.userId, token: lookup.fillTokens.get(push.userId), connections });
      }
      if ((await deliver(ports, connections, position.frame)) > 0) sent.push(push);
    }),
  );
  await directory.rememberPushes(sent, fills).catch((error: unknown) => {
    ports.log.warn('Queue positions sent not remembered; the next update tells them again', { error });
  });
  return told;
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
 * (assigned or closed meanwhile) is told nothing. Of the others, a customer already sent the
 * same frame (same position, ETA and agents online) is not sent it again (sendPositions);
 * one that just joined always is. Returns the ids told.
 */
export async function tellQueue(ports: Ports, request: PositionRequest, outlooks: Outlooks): Promise<Set<string>> {
  const { waiting, cut } = await headOfQueue(ports, request);
  if (waiting.length === 0) return new Set();
  const outlook = await outlooks.get(request.skill);
  const joinedIds = new Set(request.joined.map((conversation) => conversation.id));
  const listed: DuePosition[] = [];
  waiting.forEach((conversation, index) => {
    const joined = joinedIds.has(conversation.id);
    if (request.moved || joined) listed.push({ conversation, frame: positionFrame(conversation, index + 1, outlook), joined });
  });
  // Further back than the page read: only when the page was full can a joined one be there.
  const unlisted = !cut ? [] : request.joined.filter((conversation) => !waiting.some((other) => other.id === conversation.id));
  const deeper = await Promise.all(
    unlisted.map(async (joined): Promise<DuePosition | undefined> => {
      const conversation = await ports.conversations.get(joined.id);
      if (conversation?.status !== 'queued' || conversation.skill !== request.skill) return undefined;
      const position = (await ports.conversations.countAhead(conversation)) + 1;
      return { conversation, frame: positionFrame(conversation, position, outlook), joined: true };
    }),
  );
  const due = [...listed, ...deeper.filter((position): position is DuePosition => position !== undefined)];
  await Promise.all(due.filter((position) => position.joined).map((position) => noticeNoAgent(ports, position.conversation, outlook)));
  return new Set(await sendPositions(ports, due));
}

/** After a queue moves outside the router (a close or a transfer out of it): its first customers learn their new position. */
export async function refreshPositions(ports: Ports, skill: string): Promise<Set<string>> {
  return tellQueue(ports, { skill, moved: true, joined: [] }, new Outlooks(ports));
}
