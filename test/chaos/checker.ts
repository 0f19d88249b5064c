/**
 * The chaos suite's judge. It compares what every device's app saw (the `message` events,
 * across reloads) with the server's log, and every send the client accepted with its outcome.
 */

export interface StoredMessage {
  readonly seq: number;
  readonly messageId: string;
  readonly senderId: string;
  readonly clientMsgId?: string;
}

export interface DeviceRecord {
  readonly deviceId: string;
  readonly userId: string;
  /** Every `message` event the device's app received, in arrival order, per conversation. */
  readonly received: ReadonlyMap<string, readonly { seq: number; messageId: string }[]>;
}

export interface SendRecord {
  readonly clientMsgId: string;
  readonly senderId: string;
  /** Known from the ack for a `start`. */
  conversationId: string;
  outcome: { kind: 'pending' } | { kind: 'acked'; seq: number; messageId: string } | { kind: 'failed'; code: string };
}

export interface CheckInput {
  /** The server's log per conversation, in seq order. */
  readonly logs: ReadonlyMap<string, readonly StoredMessage[]>;
  /** Participants (user ids) per conversation. */
  readonly participants: ReadonlyMap<string, readonly string[]>;
  readonly devices: readonly DeviceRecord[];
  readonly sends: readonly SendRecord[];
}

export interface CheckResult {
  readonly storedMessages: number;
  readonly accepted: number;
  readonly acked: number;
  readonly failed: number;
  /** Accepted sends neither acked nor reported failed. */
  readonly unresolved: number;
  /** Acked messages the server's log does not hold at their seq. */
  readonly ackedNotStored: number;
  /** Stored messages missing from a participant's device (counted per device). */
  readonly lost: number;
  /** Messages a device received more than once, plus messages stored twice for one clientMsgId. */
  readonly duplicated: number;
  /** Received messages whose seq was not the one after the previous message of that conversation. */
  readonly outOfOrder: number;
  /** Seq gaps or repeats in the server's own log. */
  readonly logDefects: number;
  readonly problems: string[];
}

export function check(input: CheckInput): CheckResult {
  const problems: string[] = [];
  const note = (problem: string) => {
    if (problems.length < 20) problems.push(problem);
  };
  let storedMessages = 0;
  let logDefects = 0;
  let duplicated = 0;
  for (const [conversationId, log] of input.logs) {
    storedMessages += log.length;
    const seenClientIds = new Set<string>();
    log.forEach((message, index) => {
      if (message.seq !== index + 1) {
        logDefects += 1;
        note(`${conversationId}: log position ${index + 1} holds seq ${message.seq}`);
      }
      if (message.clientMsgId) {
        const key = `${message.senderId}/${message.clientMsgId}`;
        if (seenClientIds.has(key)) {
          duplicated += 1;
          note(`${conversationId}: ${key} stored twice`);
        }
        seenClientIds.add(key);
      }
    });
  }

  let acked = 0;
  let failed = 0;
  let unresolved = 0;
  let ackedNotStored = 0;
  for (const send of input.sends) {
    if (send.outcome.kind === 'pending') {
      unresolved += 1;
      note(`send ${send.clientMsgId} by ${send.senderId} was neither acked nor failed`);
      continue;
    }
    if (send.outcome.kind === 'failed') {
      failed += 1;
      continue;
    }
    acked += 1;
    const stored = input.logs.get(send.conversationId)?.[send.outcome.seq - 1];
    if (stored?.messageId !== send.outcome.messageId || stored.clientMsgId !== send.clientMsgId) {
      ackedNotStored += 1;
      note(`ack for ${send.clientMsgId} names seq ${send.outcome.seq}, which the log does not hold`);
    }
  }

  let lost = 0;
  let outOfOrder = 0;
  for (const device of input.devices) {
    for (const [conversationId, log] of input.logs) {
      if (!input.participants.get(conversationId)?.includes(device.userId)) continue;
      const received = device.received.get(conversationId) ?? [];
      const counts = new Map<number, number>();
      let previous = 0;
      for (const message of received) {
        counts.set(message.seq, (counts.get(message.seq) ?? 0) + 1);
        if (message.seq !== previous + 1) outOfOrder += 1;
        previous = message.seq;
        const stored = log[message.seq - 1];
        if (stored?.messageId !== message.messageId)
          note(`${device.deviceId}: seq ${message.seq} of ${conversationId} is not the stored message`);
      }
      for (const stored of log) {
        const count = counts.get(stored.seq) ?? 0;
        if (count === 0) {
          lost += 1;
          note(`${device.deviceId} never received seq ${stored.seq} of ${conversationId}`);
        }
        if (count > 1) {
          duplicated += count - 1;
          note(`${device.deviceId} received seq ${stored.seq} of ${conversationId} ${count} times`);
        }
      }
    }
  }
  return {
    storedMessages,
    accepted: input.sends.length,
    acked,
    failed,
    unresolved,
    ackedNotStored,
    lost,
    duplicated,
    outOfOrder,
    logDefects,
    problems,
  };
}
