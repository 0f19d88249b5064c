/**
 * The chaos run's judge. It compares what every device's app saw (the `message` events,
 * across reloads, or the frames of a raw sync audit) with the server's log, and every send
 * the client accepted with its outcome. Pure: no stack, no clock.
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
  /**
   * Per conversation, the seq this device started after (a sync from a cursor): only later
   * messages are owed to it. Absent: it is owed the whole conversation.
   */
  readonly startAfter?: ReadonlyMap<string, number>;
}

export interface SendRecord {
  readonly clientMsgId: string;
  readonly senderId: string;
  /** Known from the ack for a `start`. */
  conversationId: string;
  outcome: { kind: 'pending' } | { kind: 'acked'; seq: number; messageId: string } | { kind: 'failed'; code: string };
}

/** Where a conversation stands at the end of a run, after the settle period (routing runs). */
export interface ConversationEnd {
  readonly conversationId: string;
  readonly status: string;
  /** The assigned agent, and its routing status (`online`, `away`, `offline`) as the roster reports it. */
  readonly agentId?: string;
  readonly agentStatus?: string;
}

/**
 * Error codes a send in a chaos run is never legitimately refused with: every send is made by
 * a participant of an open conversation (a routing run waits for each close, transfer and
 * reassignment to land before the new owner sends), so these mean the server wrongly refused.
 */
export const WRONG_REFUSAL_CODES: readonly string[] = ['forbidden', 'conflict'];

export interface CheckInput {
  /** The server's log per conversation, in the order the store lists it. */
  readonly logs: ReadonlyMap<string, readonly StoredMessage[]>;
  /** Participants (user ids) per conversation at the end: owed every message of it. */
  readonly participants: ReadonlyMap<string, readonly string[]>;
  /**
   * Users who took part and left (an agent transferred away or reassigned): what their
   * devices received must be stored messages, once and in order, but they are owed nothing.
   */
  readonly formerParticipants?: ReadonlyMap<string, readonly string[]>;
  /** Every conversation's end state (routing runs); a queued one, or one held by an offline agent, is stranded. */
  readonly ends?: readonly ConversationEnd[];
  readonly devices: readonly DeviceRecord[];
  readonly sends: readonly SendRecord[];
}

/** The defect counters; every one must be 0 for a clean run. */
export const DEFECT_KINDS = [
  'unresolved',
  'ackedNotStored',
  'failedButStored',
  'lost',
  'duplicated',
  'outOfOrder',
  'unexpected',
  'logDefects',
  'wronglyRefused',
  'stranded',
] as const;
export type DefectKind = (typeof DEFECT_KINDS)[number];

export interface CheckResult extends Readonly<Record<DefectKind, number>> {
  readonly storedMessages: number;
  readonly accepted: number;
  readonly acked: number;
  readonly failed: number;
  /** Accepted sends neither acked nor reported failed. */
  readonly unresolved: number;
  /** Acked sends the server's log does not hold at the acked seq (same message id, sender and clientMsgId). */
  readonly ackedNotStored: number;
  /** Sends reported failed whose clientMsgId the log holds anyway (the user was told it failed; it was delivered). */
  readonly failedButStored: number;
  /** Stored messages owed to a participant's device that it never received (counted per device). */
  readonly lost: number;
  /** Messages a device received more than once, plus messages stored twice for one clientMsgId. */
  readonly duplicated: number;
  /** Received messages that arrived after a message with a higher seq of the same conversation. */
  readonly outOfOrder: number;
  /**
   * Received messages that are not owed to the device: a seq the log does not hold or holds
   * with another message id, a seq at or before the device's starting cursor, or a
   * conversation its user does not take part in.
   */
  readonly unexpected: number;
  /** Seq gaps, repeats or regressions in the server's own log. */
  readonly logDefects: number;
  /** Sends refused with a WRONG_REFUSAL_CODES code (`forbidden`, `conflict`): refused though valid. */
  readonly wronglyRefused: number;
  /** Conversations left queued, or assigned to an agent who is offline, at the end. */
  readonly stranded: number;
  /** The first few defects, described. */
  readonly problems: string[];
}

/** Sum of every defect counter. */
export function defectCount(result: CheckResult): number {
  return DEFECT_KINDS.reduce((total, kind) => total + result[kind], 0);
}

export function check(input: CheckInput): CheckResult {
  const problems: string[] = [];
  const note = (problem: string) => {
    if (problems.length < 20) problems.push(problem);
  };
  let storedMessages = 0;
  let logDefects = 0;
  let duplicated = 0;
  const bySeq = new Map<string, Map<number, StoredMessage>>();
  const storedClientIds = new Set<string>();
  for (const [conversationId, log] of input.logs) {
    storedMessages += log.length;
    const seqs = new Map<number, StoredMessage>();
    bySeq.set(conversationId, seqs);
    let previous = 0;
    for (const message of log) {
      if (message.seq <= previous) {
        logDefects += 1;
        note(`${conversationId}: the log holds seq ${message.seq} after seq ${previous}`);
      } else if (message.seq !== previous + 1) {
        logDefects += 1;
        note(`${conversationId}: the log skips from seq ${previous} to seq ${message.seq}`);
      }
      previous = Math.max(previous, message.seq);
      if (!seqs.has(message.seq)) seqs.set(message.seq, message);
      if (message.clientMsgId) {
        const key = `${message.senderId}/${message.clientMsgId}`;
        if (storedClientIds.has(key)) {
          duplicated += 1;
          note(`${conversationId}: ${key} stored twice`);
        }
        storedClientIds.add(key);
      }
    }
  }

  let acked = 0;
  let failed = 0;
  let unresolved = 0;
  let ackedNotStored = 0;
  let failedButStored = 0;
  let wronglyRefused = 0;
  for (const send of input.sends) {
    if (send.outcome.kind === 'pending') {
      unresolved += 1;
      note(`send ${send.clientMsgId} by ${send.senderId} was neither acked nor failed`);
      continue;
    }
    if (send.outcome.kind === 'failed') {
      failed += 1;
      if (WRONG_REFUSAL_CODES.includes(send.outcome.code)) {
        wronglyRefused += 1;
        note(`send ${send.clientMsgId} by ${send.senderId} in ${send.conversationId} was refused ${send.outcome.code}`);
      }
      if (storedClientIds.has(`${send.senderId}/${send.clientMsgId}`)) {
        failedButStored += 1;
        note(`send ${send.clientMsgId} by ${send.senderId} was reported failed (${send.outcome.code}) but is stored`);
      }
      continue;
    }
    acked += 1;
    const stored = bySeq.get(send.conversationId)?.get(send.outcome.seq);
    if (stored?.messageId !== send.outcome.messageId || stored.clientMsgId !== send.clientMsgId || stored.senderId !== send.senderId) {
      ackedNotStored += 1;
      note(`ack for ${send.clientMsgId} names seq ${send.outcome.seq} of ${send.conversationId}, which the log does not hold`);
    }
  }

  let lost = 0;
  let outOfOrder = 0;
  let unexpected = 0;
  for (const device of input.devices) {
    for (const [conversationId, received] of device.received) {
      const participating = input.participants.get(conversationId)?.includes(device.userId) ?? false;
      if (!participating && input.formerParticipants?.get(conversationId)?.includes(device.userId)) {
        // Owed nothing, but what it got must be stored messages, once, in order.
        const stored = bySeq.get(conversationId);
        const seen = new Set<number>();
        let highest = 0;
        for (const message of received) {
          if (stored?.get(message.seq)?.messageId !== message.messageId) {
            unexpected += 1;
            note(`${device.deviceId}: seq ${message.seq} of ${conversationId} (${message.messageId}) is not a stored message`);
          } else if (seen.has(message.seq)) {
            duplicated += 1;
            note(`${device.deviceId} received seq ${message.seq} of ${conversationId} again`);
          } else if (message.seq < highest) {
            outOfOrder += 1;
            note(`${device.deviceId}: seq ${message.seq} of ${conversationId} arrived after seq ${highest}`);
          }
          seen.add(message.seq);
          highest = Math.max(highest, message.seq);
        }
        continue;
      }
      if (!participating && received.length > 0) {
        unexpected += received.length;
        note(`${device.deviceId} received ${received.length} messages of ${conversationId}, which ${device.userId} does not take part in`);
      }
    }
    for (const [conversationId, log] of input.logs) {
      if (!input.participants.get(conversationId)?.includes(device.userId)) continue;
      const stored = bySeq.get(conversationId)!;
      const after = device.startAfter?.get(conversationId) ?? 0;
      const received = device.received.get(conversationId) ?? [];
      const counts = new Map<number, number>();
      let highest = 0;
      for (const message of received) {
        if (stored.get(message.seq)?.messageId !== message.messageId || message.seq <= after) {
          unexpected += 1;
          note(`${device.deviceId}: seq ${message.seq} of ${conversationId} (${message.messageId}) is not a stored message owed to it`);
          continue;
        }
        const count = (counts.get(message.seq) ?? 0) + 1;
        counts.set(message.seq, count);
        if (count > 1) continue; // counted as duplicated below
        if (message.seq < highest) {
          outOfOrder += 1;
          note(`${device.deviceId}: seq ${message.seq} of ${conversationId} arrived after seq ${highest}`);
        }
        highest = Math.max(highest, message.seq);
      }
      for (const message of log) {
        if (message.seq <= after) continue;
        const count = counts.get(message.seq) ?? 0;
        if (count === 0) {
          lost += 1;
          note(`${device.deviceId} never received seq ${message.seq} of ${conversationId}`);
        }
        if (count > 1) {
          duplicated += count - 1;
          note(`${device.deviceId} received seq ${message.seq} of ${conversationId} ${count} times`);
        }
      }
    }
  }
  let stranded = 0;
  for (const end of input.ends ?? []) {
    const held = end.status === 'assigned' && end.agentStatus !== undefined && end.agentStatus !== 'offline';
    if (end.status === 'queued' || (end.status === 'assigned' && !held)) {
      stranded += 1;
      note(
        `${end.conversationId} is stranded: ${end.status}${end.agentId ? ` to ${end.agentId} (${end.agentStatus ?? 'unknown status'})` : ''}`,
      );
    }
  }
  return {
    storedMessages,
    accepted: input.sends.length,
    acked,
    failed,
    unresolved,
    ackedNotStored,
    failedButStored,
    lost,
    duplicated,
    outOfOrder,
    unexpected,
    logDefects,
    wronglyRefused,
    stranded,
    problems,
  };
}
