import { describe, expect, it } from 'vitest';
import {
  abandonNoticeClientMsgId,
  abandonNoticeText,
  abandonStep,
  customerSilentSince,
  sideOf,
  type AbandonState,
} from '../../../functions/domain/abandonment';

const SETTINGS = { afterSeconds: 900, closeAfterSeconds: 300 };
const AGENT_AT = '2026-11-30T10:00:00.000Z';
const at = (secondsAfterAgent: number) => new Date(Date.parse(AGENT_AT) + secondsAfterAgent * 1000);

/** The agent wrote seq 4 at AGENT_AT; the customer last wrote seq 3. */
const waiting: AbandonState = { status: 'assigned', lastAgentSeq: 4, lastAgentAt: AGENT_AT, lastCustomerSeq: 3 };
const noticed: AbandonState = { ...waiting, abandonNoticeSeq: 4, abandonNoticeAt: at(900).toISOString() };

describe('abandonStep: when to send the "still there?" notice', () => {
  it('not before the customer has been quiet ABANDON_AFTER_SECONDS after the agent', () => {
    expect(abandonStep(waiting, at(899), SETTINGS)).toBeUndefined();
  });

  it('once they have', () => {
    expect(abandonStep(waiting, at(900), SETTINGS)).toEqual({ kind: 'notice', agentSeq: 4 });
    expect(abandonStep({ ...waiting, lastCustomerSeq: undefined }, at(2000), SETTINGS)).toEqual({ kind: 'notice', agentSeq: 4 });
  });

  it('never while the agent has not written (the customer is the one waiting) or after the customer answered', () => {
    expect(abandonStep({ status: 'assigned', lastCustomerSeq: 1 }, at(5000), SETTINGS)).toBeUndefined();
    expect(abandonStep({ ...waiting, lastCustomerSeq: 5 }, at(5000), SETTINGS)).toBeUndefined();
  });

  it('only for assigned conversations', () => {
    for (const status of ['bot', 'queued', 'closed', 'ticket'] as const) {
      expect(abandonStep({ ...waiting, status }, at(5000), SETTINGS)).toBeUndefined();
    }
  });

  it('again for a newer agent message, counted from that message', () => {
    const newer: AbandonState = { ...noticed, lastAgentSeq: 6, lastAgentAt: at(1000).toISOString() };
    expect(abandonStep(newer, at(1899), SETTINGS)).toBeUndefined();
    expect(abandonStep(newer, at(1900), SETTINGS)).toEqual({ kind: 'notice', agentSeq: 6 });
  });
});

describe('abandonStep: when to close', () => {
  it('not before ABANDON_CLOSE_AFTER_SECONDS after the notice', () => {
    expect(abandonStep(noticed, at(1199), SETTINGS)).toBeUndefined();
  });

  it('once that passed in silence', () => {
    expect(abandonStep(noticed, at(1200), SETTINGS)).toEqual({ kind: 'close', agentSeq: 4 });
  });

  it('cancelled by a customer message after the notice', () => {
    // The notice took seq 5; the customer answered with seq 6.
    expect(abandonStep({ ...noticed, lastCustomerSeq: 6 }, at(5000), SETTINGS)).toBeUndefined();
    expect(customerSilentSince({ lastCustomerSeq: 6 }, 4)).toBe(false);
    expect(customerSilentSince({ lastCustomerSeq: 3 }, 4)).toBe(true);
    expect(customerSilentSince({}, 4)).toBe(true);
  });

  it('not for a closed conversation', () => {
    expect(abandonStep({ ...noticed, status: 'closed' }, at(5000), SETTINGS)).toBeUndefined();
  });
});

describe('abandonment details', () => {
  it('staff speak for the agent side, system notices for neither', () => {
    expect(sideOf('customer')).toBe('customer');
    expect(sideOf('agent')).toBe('agent');
    expect(sideOf('supervisor')).toBe('agent');
    expect(sideOf('system')).toBeUndefined();
  });

  it('one notice id per agent message, and the wait said in minutes', () => {
    expect(abandonNoticeClientMsgId('c1', 4)).toBe('abandon-check:c1:4');
    expect(abandonNoticeText(300)).toContain('within 5 minutes');
    expect(abandonNoticeText(20)).toContain('within 1 minute,');
  });
});
