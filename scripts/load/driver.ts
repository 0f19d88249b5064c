import type { Frame, LoadSocket } from './load-socket';
import { sendsDue, totalSends, type RateSchedule } from './schedule';
import type { LoadConversation } from './targets';

/** How the message phase paces its sends. */
export type Pacing =
  /** Each conversation has one message in flight: the next is sent once the last is acked and delivered. */
  | { readonly kind: 'sequential'; readonly durationMs: number; readonly messagesPerConversation?: number | undefined }
  /** Open loop: sends at the schedule's rate over the conversations in turn, whatever the answers. */
  | { readonly kind: 'rate'; readonly schedule: RateSchedule; readonly maxInFlight: number };

export interface DriveOptions {
  readonly pacing: Pacing;
  /** After the last send, how long to wait for the outstanding acks and deliveries. */
  readonly drainMs: number;
  /** Characters of text per message. */
  readonly textChars: number;
  /** Sequential pacing: how long one message may take before its conversation moves on. */
  readonly stepMs: number;
  readonly now?: () => number;
}

export interface Sample {
  readonly conversation: number;
  readonly from: 'customer' | 'agent';
  /** ms since the message phase began. */
  readonly sentAt: number;
  ackAt?: number;
  deliveredAt?: number;
  error?: string;
}

export interface DriveResult {
  readonly samples: readonly Sample[];
  /** Sends the open loop left out because too many were in flight. */
  readonly skipped: number;
  readonly errors: Readonly<Record<string, number>>;
  /** From the first send to the last. */
  readonly sendingMs: number;
  /** From the first send until everything was answered or the drain gave up. */
  readonly totalMs: number;
}

interface Pending {
  readonly sample: Sample;
  readonly sender: LoadSocket;
  readonly recipient: LoadSocket;
  readonly done: () => void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits for the promise, or gives up waiting after `ms` (the promise goes on). */
function within(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]).finally(() => clearTimeout(timer));
}

/**
 * The message phase: customers and agents send `message` frames, each alternating with its
 * peer, and every frame that comes back is accounted: `ack` on the sender's socket (ack
 * latency) and `message` on the peer's (delivery latency, sender's send to recipient's
 * receipt, both measured on this machine's clock), `error` frames by protocol code.
 */
export async function drive(conversations: readonly LoadConversation[], options: DriveOptions): Promise<DriveResult> {
  const now = options.now ?? (() => performance.now());
  const tag = Date.now().toString(36);
  const pending = new Map<string, Pending>();
  const samples: Sample[] = [];
  const errors: Record<string, number> = {};
  let unresolved = 0;
  let skipped = 0;
  const started = now();
  const elapsed = () => now() - started;

  const settle = (entry: Pending, clientMsgId: string) => {
    const { sample } = entry;
    if (sample.error !== undefined || (sample.ackAt !== undefined && sample.deliveredAt !== undefined)) {
      pending.delete(clientMsgId);
      unresolved -= 1;
      entry.done();
    }
  };
  const onFrame = (frame: Frame, socket: LoadSocket) => {
    if (frame.type === 'error') {
      const code = String(frame.code ?? 'unknown');
      errors[code] = (errors[code] ?? 0) + 1;
    }
    const clientMsgId = typeof frame.clientMsgId === 'string' ? frame.clientMsgId : undefined;
    const entry = clientMsgId === undefined ? undefined : pending.get(clientMsgId);
    if (!entry || clientMsgId === undefined) return;
    if (frame.type === 'ack' && socket === entry.sender) entry.sample.ackAt ??= elapsed();
    else if (frame.type === 'message' && socket === entry.recipient) entry.sample.deliveredAt ??= elapsed();
    else if (frame.type === 'error' && socket === entry.sender) entry.sample.error ??= String(frame.code ?? 'unknown');
    settle(entry, clientMsgId);
  };
  for (const conversation of conversations) {
    conversation.customer.onFrame(onFrame);
    conversation.agent.onFrame(onFrame);
  }

  const turns = conversations.map(() => 0);
  const text = (id: string) => `load ${id} `.padEnd(options.textChars, 'x').slice(0, Math.max(options.textChars, 1));
  const send = (index: number): Promise<void> => {
    const conversation = conversations[index]!;
    const turn = turns[index]!;
    turns[index] = turn + 1;
    const from = turn % 2 === 0 ? 'customer' : 'agent';
    const [sender, recipient] =
      from === 'customer' ? [conversation.customer, conversation.agent] : [conversation.agent, conversation.customer];
    const clientMsgId = `${tag}-${index}-${turn}`;
    const sample: Sample = { conversation: index, from, sentAt: elapsed() };
    samples.push(sample);
    unresolved += 1;
    return new Promise<void>((done) => {
      pending.set(clientMsgId, { sample, sender, recipient, done });
      sender.send({ action: 'message', conversationId: conversation.id, clientMsgId, text: text(clientMsgId) });
    });
  };

  const pacing = options.pacing;
  if (pacing.kind === 'rate') {
    const total = totalSends(pacing.schedule);
    let issued = 0;
    while (issued < total) {
      const due = sendsDue(pacing.schedule, elapsed());
      for (; issued < due; issued++) {
        if (unresolved >= pacing.maxInFlight) skipped += 1;
        else void send(issued % conversations.length);
      }
      if (issued < total) await sleep(2);
    }
  } else {
    const limit = pacing.messagesPerConversation ?? Number.POSITIVE_INFINITY;
    await Promise.all(
      conversations.map(async (_conversation, index) => {
        for (let count = 0; count < limit && elapsed() < pacing.durationMs; count++) {
          await within(send(index), options.stepMs);
        }
      }),
    );
  }
  const sendingMs = samples.length === 0 ? 0 : samples.at(-1)!.sentAt;

  const drainUntil = elapsed() + options.drainMs;
  while (unresolved > 0 && elapsed() < drainUntil) await sleep(10);
  for (const conversation of conversations) {
    conversation.customer.onFrame(() => undefined);
    conversation.agent.onFrame(() => undefined);
  }
  return { samples, skipped, errors, sendingMs, totalMs: elapsed() };
}
