import { describe, expect, it } from 'vitest';
import {
  type CheckInput,
  type CheckResult,
  type ConversationEnd,
  check,
  DEFECT_KINDS,
  type DefectKind,
  type SendRecord,
  type StoredMessage,
} from '../../scripts/chaos/checker';

/**
 * Mutation tests for the chaos checker: a clean record in the shape a run produces passes;
 * each way of breaking the guarantees, applied to it, is caught as its own defect kind and as
 * nothing else. Pure: no stack.
 */

type Received = { seq: number; messageId: string };
interface Run {
  logs: Map<string, StoredMessage[]>;
  participants: Map<string, string[]>;
  formerParticipants?: Map<string, string[]>;
  ends?: ConversationEnd[];
  devices: { deviceId: string; userId: string; received: Map<string, Received[]>; startAfter?: Map<string, number> }[];
  sends: SendRecord[];
}

const AGENT = 'chaos-agent-0';
const CONVERSATIONS = [
  { id: 'conv-a', customer: 'guest-a', messages: 14 },
  { id: 'conv-b', customer: 'guest-b', messages: 9 },
];

/**
 * A clean run as runChaos records it: one agent serving two conversations, the first
 * message of each a `start` by the customer, senders alternating; each send acked with its
 * seq; one send failed with a retryable code and was never stored; devices that received
 * everything in order (one of them a new install), and raw sync audits from the start and
 * from half way (`startAfter`). `skipSeq` makes conversation A's log jump over that seq.
 */
function cleanRun(options: { skipSeq?: number } = {}): Run {
  const run: Run = { logs: new Map(), participants: new Map(), devices: [], sends: [] };
  for (const conversation of CONVERSATIONS) {
    const log: StoredMessage[] = [];
    let seq = 0;
    for (let n = 0; n < conversation.messages; n += 1) {
      seq += 1;
      if (conversation.id === 'conv-a' && seq === options.skipSeq) seq += 1;
      const senderId = n === 0 || n % 2 === 1 ? conversation.customer : AGENT;
      const clientMsgId = `${senderId}-${conversation.id}-m${n}`;
      const messageId = `${conversation.id}-msg-${seq}`;
      log.push({ seq, messageId, senderId, clientMsgId });
      run.sends.push({ clientMsgId, senderId, conversationId: conversation.id, outcome: { kind: 'acked', seq, messageId } });
    }
    run.logs.set(conversation.id, log);
    run.participants.set(conversation.id, [conversation.customer, AGENT]);
  }
  run.sends.push({
    clientMsgId: 'guest-a-gave-up',
    senderId: 'guest-a',
    conversationId: 'conv-a',
    outcome: { kind: 'failed', code: 'unavailable' },
  });
  const everything = (userId: string) =>
    new Map(
      [...run.logs]
        .filter(([id]) => run.participants.get(id)!.includes(userId))
        .map(([id, log]) => [id, log.map(({ seq, messageId }) => ({ seq, messageId }))]),
    );
  for (const [deviceId, userId] of [
    ['customer:guest-a#1', 'guest-a'],
    ['customer:guest-a#2', 'guest-a'],
    ['customer:guest-b#1', 'guest-b'],
    ['agent:chaos-agent-0#1', AGENT],
    ['agent:chaos-agent-0#2', AGENT],
  ]) {
    run.devices.push({ deviceId: deviceId!, userId: userId!, received: everything(userId!) });
  }
  for (const userId of ['guest-a', 'guest-b', AGENT]) {
    run.devices.push({ deviceId: `audit:${userId}:from-start`, userId, received: everything(userId), startAfter: new Map() });
    const halfway = new Map([...everything(userId)].map(([id, list]) => [id, Math.floor(list.length / 2)]));
    run.devices.push({
      deviceId: `audit:${userId}:from-halfway`,
      userId,
      received: new Map([...everything(userId)].map(([id, list]) => [id, list.filter((m) => m.seq > halfway.get(id)!)])),
      startAfter: halfway,
    });
  }
  return run;
}

const input = (run: Run): CheckInput => run;
/** The defect counters that are not 0. */
const defects = (result: CheckResult): Partial<Record<DefectKind, number>> =>
  Object.fromEntries(DEFECT_KINDS.filter((kind) => result[kind] !== 0).map((kind) => [kind, result[kind]]));
const device = (run: Run, deviceId: string) => run.devices.find((d) => d.deviceId === deviceId)!;
const view = (run: Run, deviceId: string, conversationId: string) => device(run, deviceId).received.get(conversationId)!;

describe('chaos checker', () => {
  it('passes a clean run and counts it', () => {
    const result = check(input(cleanRun()));
    expect(defects(result)).toEqual({});
    expect(result.problems).toEqual([]);
    expect(result).toMatchObject({ storedMessages: 23, accepted: 24, acked: 23, failed: 1 });
  });

  describe('a device', () => {
    it('that misses a message: lost', () => {
      const run = cleanRun();
      view(run, 'customer:guest-a#2', 'conv-a').pop();
      const result = check(input(run));
      expect(defects(result)).toEqual({ lost: 1 });
      expect(result.problems).toEqual(['customer:guest-a#2 never received seq 14 of conv-a']);
    });

    it('that skips a seq in the middle: lost, not out of order', () => {
      const run = cleanRun();
      view(run, 'agent:chaos-agent-0#1', 'conv-b').splice(4, 1);
      expect(defects(check(input(run)))).toEqual({ lost: 1 });
    });

    it('that misses a message of the raw sync audit: lost', () => {
      const run = cleanRun();
      view(run, 'audit:chaos-agent-0:from-halfway', 'conv-a').splice(2, 1);
      expect(defects(check(input(run)))).toEqual({ lost: 1 });
    });

    it('that misses a whole conversation: lost, once per message', () => {
      const run = cleanRun();
      device(run, 'agent:chaos-agent-0#2').received.delete('conv-b');
      expect(defects(check(input(run)))).toEqual({ lost: 9 });
    });

    it('that gets a message twice: duplicated', () => {
      const run = cleanRun();
      const list = view(run, 'customer:guest-b#1', 'conv-b');
      list.splice(6, 0, list[5]!);
      const result = check(input(run));
      expect(defects(result)).toEqual({ duplicated: 1 });
      expect(result.problems).toEqual(['customer:guest-b#1 received seq 6 of conv-b 2 times']);
    });

    it('that gets a message again much later (a replay after a reload): duplicated', () => {
      const run = cleanRun();
      const list = view(run, 'customer:guest-a#1', 'conv-a');
      list.push(list[0]!);
      expect(defects(check(input(run)))).toEqual({ duplicated: 1 });
    });

    it('that gets two messages swapped: out of order', () => {
      const run = cleanRun();
      const list = view(run, 'agent:chaos-agent-0#1', 'conv-a');
      [list[7], list[8]] = [list[8]!, list[7]!];
      const result = check(input(run));
      expect(defects(result)).toEqual({ outOfOrder: 1 });
      expect(result.problems).toEqual(['agent:chaos-agent-0#1: seq 8 of conv-a arrived after seq 9']);
    });

    it('that gets a gap filled late: out of order', () => {
      const run = cleanRun();
      const list = view(run, 'customer:guest-a#2', 'conv-a');
      const [late] = list.splice(3, 1);
      list.splice(9, 0, late!);
      expect(defects(check(input(run)))).toEqual({ outOfOrder: 1 });
    });

    it('that gets a message of a conversation its user is not in: unexpected', () => {
      const run = cleanRun();
      device(run, 'customer:guest-b#1').received.set('conv-a', [{ seq: 1, messageId: 'conv-a-msg-1' }]);
      expect(defects(check(input(run)))).toEqual({ unexpected: 1 });
    });

    it('that gets another message at a seq: unexpected and lost', () => {
      const run = cleanRun();
      view(run, 'customer:guest-a#1', 'conv-a')[4] = { seq: 5, messageId: 'conv-b-msg-5' };
      expect(defects(check(input(run)))).toEqual({ unexpected: 1, lost: 1 });
    });

    it('that gets a seq the log does not hold: unexpected', () => {
      const run = cleanRun();
      view(run, 'agent:chaos-agent-0#2', 'conv-b').push({ seq: 10, messageId: 'conv-b-msg-10' });
      expect(defects(check(input(run)))).toEqual({ unexpected: 1 });
    });

    it('whose sync replays messages at or before its cursor: unexpected', () => {
      const run = cleanRun();
      const list = view(run, 'audit:guest-a:from-halfway', 'conv-a');
      list.unshift({ seq: 7, messageId: 'conv-a-msg-7' });
      expect(defects(check(input(run)))).toEqual({ unexpected: 1 });
    });

    it('exhaustively: every single drop, duplicate and swap on every device is caught as itself', () => {
      const clean = cleanRun();
      let mutations = 0;
      for (const { deviceId } of clean.devices) {
        for (const [conversationId, list] of device(clean, deviceId).received) {
          for (let index = 0; index < list.length; index += 1) {
            const mutate = (kind: DefectKind, change: (copy: Received[]) => void) => {
              const run = cleanRun();
              change(view(run, deviceId, conversationId));
              expect(defects(check(input(run))), `${kind} at ${deviceId} ${conversationId} #${index}`).toEqual({ [kind]: 1 });
              mutations += 1;
            };
            mutate('lost', (copy) => copy.splice(index, 1));
            mutate('duplicated', (copy) => copy.splice(index, 0, copy[index]!));
            if (index + 1 < list.length) mutate('outOfOrder', (copy) => copy.splice(index, 2, copy[index + 1]!, copy[index]!));
          }
        }
      }
      expect(mutations).toBeGreaterThan(200);
    });
  });

  describe('the server log', () => {
    it('that skips a seq: a log defect (and nothing else, when devices and acks agree with it)', () => {
      const result = check(input(cleanRun({ skipSeq: 6 })));
      expect(defects(result)).toEqual({ logDefects: 1 });
      expect(result.problems).toEqual(['conv-a: the log skips from seq 5 to seq 7']);
    });

    it('that holds a seq twice: a log defect', () => {
      const run = cleanRun();
      const log = run.logs.get('conv-b')!;
      log.splice(4, 0, { ...log[3]!, messageId: 'conv-b-other', clientMsgId: 'agent-other' });
      expect(defects(check(input(run)))).toEqual({ logDefects: 1 });
    });

    it('that stores one clientMsgId twice: duplicated', () => {
      const run = cleanRun();
      const log = run.logs.get('conv-b')!;
      const first = log[2]!;
      log.push({ seq: 10, messageId: 'conv-b-msg-10', senderId: first.senderId, clientMsgId: first.clientMsgId! });
      for (const d of run.devices) d.received.get('conv-b')?.push({ seq: 10, messageId: 'conv-b-msg-10' });
      expect(defects(check(input(run)))).toEqual({ duplicated: 1 });
    });
  });

  describe('a send', () => {
    it('acked with a seq whose stored message is another one: acked but not stored', () => {
      const run = cleanRun();
      const send = run.sends[3]!;
      send.outcome = { kind: 'acked', seq: 2, messageId: 'conv-a-msg-2' };
      const result = check(input(run));
      expect(defects(result)).toEqual({ ackedNotStored: 1 });
    });

    it('acked but absent from the log: acked but not stored', () => {
      const run = cleanRun();
      run.sends.push({
        clientMsgId: 'guest-b-phantom',
        senderId: 'guest-b',
        conversationId: 'conv-b',
        outcome: { kind: 'acked', seq: 10, messageId: 'conv-b-msg-10' },
      });
      expect(defects(check(input(run)))).toEqual({ ackedNotStored: 1 });
    });

    it('acked for another sender: acked but not stored', () => {
      const run = cleanRun();
      const send = run.sends.find((s) => s.senderId === AGENT && s.conversationId === 'conv-a')!;
      run.sends[run.sends.indexOf(send)] = { ...send, senderId: 'guest-a' };
      expect(defects(check(input(run)))).toEqual({ ackedNotStored: 1 });
    });

    it('neither acked nor failed: unresolved', () => {
      const run = cleanRun();
      run.sends.push({ clientMsgId: 'guest-a-stuck', senderId: 'guest-a', conversationId: 'conv-a', outcome: { kind: 'pending' } });
      expect(defects(check(input(run)))).toEqual({ unresolved: 1 });
    });

    it('reported failed although stored: failed but stored', () => {
      const run = cleanRun();
      run.sends[5]!.outcome = { kind: 'failed', code: 'internal' };
      expect(defects(check(input(run)))).toEqual({ failedButStored: 1 });
    });
  });
  describe('routing', () => {
    it('a send refused forbidden or conflict, never stored: wrongly refused', () => {
      const run = cleanRun();
      run.sends.push(
        { clientMsgId: 'agent-after-flush', senderId: AGENT, conversationId: 'conv-a', outcome: { kind: 'failed', code: 'forbidden' } },
        { clientMsgId: 'agent-raced', senderId: AGENT, conversationId: 'conv-b', outcome: { kind: 'failed', code: 'conflict' } },
      );
      const result = check(input(run));
      expect(defects(result)).toEqual({ wronglyRefused: 2 });
      expect(result.problems).toEqual([
        'send agent-after-flush by chaos-agent-0 in conv-a was refused forbidden',
        'send agent-raced by chaos-agent-0 in conv-b was refused conflict',
      ]);
    });

    it('a send refused with a retryable code is not a wrong refusal', () => {
      const run = cleanRun();
      run.sends.push({
        clientMsgId: 'limited',
        senderId: 'guest-b',
        conversationId: 'conv-b',
        outcome: { kind: 'failed', code: 'rate_limited' },
      });
      expect(defects(check(input(run)))).toEqual({});
    });

    it('conversations held by online or away agents, or closed, are not stranded', () => {
      const run = cleanRun();
      run.ends = [
        { conversationId: 'conv-a', status: 'assigned', agentId: AGENT, agentStatus: 'online' },
        { conversationId: 'conv-b', status: 'assigned', agentId: AGENT, agentStatus: 'away' },
        { conversationId: 'conv-c', status: 'closed' },
      ];
      expect(defects(check(input(run)))).toEqual({});
    });

    it('a conversation left queued, or assigned to an offline agent: stranded', () => {
      const run = cleanRun();
      run.ends = [
        { conversationId: 'conv-a', status: 'queued' },
        { conversationId: 'conv-b', status: 'assigned', agentId: AGENT, agentStatus: 'offline' },
      ];
      const result = check(input(run));
      expect(defects(result)).toEqual({ stranded: 2 });
      expect(result.problems).toEqual(['conv-a is stranded: queued', 'conv-b is stranded: assigned to chaos-agent-0 (offline)']);
    });

    it('an agent transferred away: owed nothing more, but what it got must be stored, once, in order', () => {
      const run = cleanRun();
      const former = 'chaos-agent-1';
      run.formerParticipants = new Map([['conv-a', [former]]]);
      const prefix = run.logs
        .get('conv-a')!
        .slice(0, 5)
        .map(({ seq, messageId }) => ({ seq, messageId }));
      run.devices.push({ deviceId: `agent:${former}#1`, userId: former, received: new Map([['conv-a', prefix]]) });
      expect(defects(check(input(run)))).toEqual({});
      prefix.push(prefix[1]!, { seq: 99, messageId: 'conv-a-msg-99' });
      expect(defects(check(input(run)))).toEqual({ duplicated: 1, unexpected: 1 });
    });

    it('the new agent after a reassignment that never got the history: lost', () => {
      const run = cleanRun();
      const newAgent = 'chaos-agent-1';
      run.participants.set('conv-b', ['guest-b', newAgent]);
      run.formerParticipants = new Map([['conv-b', [AGENT]]]);
      const log = run.logs.get('conv-b')!;
      // Only what came after the reassignment reached it live.
      const live = log.slice(6).map(({ seq, messageId }) => ({ seq, messageId }));
      run.devices.push({ deviceId: `agent:${newAgent}#1`, userId: newAgent, received: new Map([['conv-b', live]]) });
      expect(defects(check(input(run)))).toEqual({ lost: 6 });
    });
  });
});
