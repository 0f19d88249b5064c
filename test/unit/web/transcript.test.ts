import { describe, expect, it } from 'vitest';
import type { ChatMessage, Sender } from '../../../clients/parley-client/src/index';
import { Transcript } from '../../../clients/web/transcript';

const customer: Sender = { id: 'guest:1', role: 'customer', name: 'Ann' };
const agent: Sender = { id: 'agent-1', role: 'agent', name: 'Billie' };
const system: Sender = { id: 'system', role: 'system' };

function message(seq: number, sender: Sender = customer, clientMsgId?: string): ChatMessage {
  return {
    conversationId: 'c1',
    seq,
    messageId: `m${seq}`,
    sender,
    text: `text ${seq}`,
    ts: `2026-01-01T00:00:0${seq}Z`,
    ...(clientMsgId ? { clientMsgId } : {}),
  };
}

describe('Transcript', () => {
  it('shows each stored message once, in seq order, whatever order and how often it arrives', () => {
    const transcript = new Transcript('c1');
    for (const seq of [3, 1, 2, 3, 1]) transcript.add(message(seq, agent));
    expect(transcript.entries(customer.id, true).map((entry) => entry.seq)).toEqual([1, 2, 3]);
    expect(transcript.lastSeq).toBe(3);
  });

  it('shows an own send at once, then in place as stored (same key), then read', () => {
    const transcript = new Transcript('c1');
    transcript.addPending('cm-1', 'hello', 1);
    expect(transcript.entries(customer.id, false)).toEqual([expect.objectContaining({ key: 'cm-1', own: true, delivery: 'sending' })]);
    transcript.add({ ...message(1, customer, 'cm-1'), text: 'hello' });
    expect(transcript.entries(customer.id, false)).toEqual([expect.objectContaining({ key: 'cm-1', seq: 1, delivery: 'sent' })]);
    expect(transcript.entries(customer.id, true)[0]?.delivery).toBe('delivered');
    transcript.markReadByOthers(1);
    expect(transcript.entries(customer.id, true)[0]?.delivery).toBe('read');
  });

  it('does not bring back a pending send that is already stored (a resend after reload)', () => {
    const transcript = new Transcript('c1');
    transcript.add(message(1, customer, 'cm-1'));
    transcript.addPending('cm-1', 'text 1', 1);
    expect(transcript.entries(customer.id, true)).toHaveLength(1);
  });

  it('marks refused sends failed, with the reason', () => {
    const transcript = new Transcript('c1');
    transcript.addPending('cm-1', 'x', 1);
    transcript.markFailed('cm-1', 'conversation closed');
    expect(transcript.entries(customer.id, true)[0]).toMatchObject({ delivery: 'failed', failure: 'conversation closed' });
  });

  it('counts unread messages from other people only, and finds the last one a person wrote', () => {
    const transcript = new Transcript('c1');
    transcript.add(message(1, customer));
    transcript.add(message(2, system));
    transcript.add(message(3, customer));
    transcript.add(message(4, agent));
    expect(transcript.countFromOthersAfter(0, agent.id)).toBe(2);
    expect(transcript.countFromOthersAfter(1, agent.id)).toBe(1);
    transcript.add(message(5, system));
    expect(transcript.lastFromPeople()?.seq).toBe(4);
  });

  it('hands pending sends of a not-yet-started conversation to the one the server opened', () => {
    const draft = new Transcript(undefined);
    draft.addPending('cm-1', 'first', 1);
    const started = new Transcript('c1');
    started.adoptPending(draft);
    expect(started.entries(customer.id, false).map((entry) => entry.key)).toEqual(['cm-1']);
  });
});
