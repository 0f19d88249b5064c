import { describe, expect, it } from 'vitest';
import { CLOSE_REANNOUNCE_SECONDS, closeStep } from '../../../functions/domain/announcements';

const CLOSED_AT = '2026-12-01T10:00:00.000Z';
const secondsAfterClose = (seconds: number) => new Date(Date.parse(CLOSED_AT) + seconds * 1000);

describe('closeStep: what a close does with the conversation it read', () => {
  it('stores the close of every conversation not yet closed', () => {
    for (const status of ['queued', 'assigned', 'bot', 'ticket'] as const) {
      expect(closeStep({ status }, secondsAfterClose(0))).toBe('store');
    }
  });

  it('re-announces a retry (or a second closer) right after the close', () => {
    expect(closeStep({ status: 'closed', closedAt: CLOSED_AT }, secondsAfterClose(0))).toBe('reannounce');
    expect(closeStep({ status: 'closed', closedAt: CLOSED_AT }, secondsAfterClose(20))).toBe('reannounce');
  });

  it('re-announces up to CLOSE_REANNOUNCE_SECONDS after the close, then only answers the caller', () => {
    expect(closeStep({ status: 'closed', closedAt: CLOSED_AT }, secondsAfterClose(CLOSE_REANNOUNCE_SECONDS))).toBe('reannounce');
    expect(closeStep({ status: 'closed', closedAt: CLOSED_AT }, secondsAfterClose(CLOSE_REANNOUNCE_SECONDS + 1))).toBe('reply');
    expect(closeStep({ status: 'closed', closedAt: CLOSED_AT }, secondsAfterClose(30 * 24 * 3600))).toBe('reply');
  });

  it('counts a close stamped by a clock ahead of this one as recent', () => {
    expect(closeStep({ status: 'closed', closedAt: CLOSED_AT }, secondsAfterClose(-5))).toBe('reannounce');
  });

  it('only answers the caller when the close time is unknown or unreadable', () => {
    expect(closeStep({ status: 'closed' }, secondsAfterClose(0))).toBe('reply');
    expect(closeStep({ status: 'closed', closedAt: 'not a date' }, secondsAfterClose(0))).toBe('reply');
  });
});
