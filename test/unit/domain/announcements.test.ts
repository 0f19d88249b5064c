import { describe, expect, it } from 'vitest';
import { REANNOUNCE_WINDOW_SECONDS, closeStep, pushAppended } from '../../../functions/domain/announcements';

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

  it('re-announces up to REANNOUNCE_WINDOW_SECONDS after the close, then only answers the caller', () => {
    expect(closeStep({ status: 'closed', closedAt: CLOSED_AT }, secondsAfterClose(REANNOUNCE_WINDOW_SECONDS))).toBe('reannounce');
    expect(closeStep({ status: 'closed', closedAt: CLOSED_AT }, secondsAfterClose(REANNOUNCE_WINDOW_SECONDS + 1))).toBe('reply');
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

describe('pushAppended: whether an appended message (or note) is pushed live', () => {
  const appended = (duplicate: boolean, resumed: boolean) => ({ duplicate, resumed, message: { ts: CLOSED_AT } });

  it('pushes a new message, and one an interrupted attempt had stored (resumed)', () => {
    expect(pushAppended(appended(false, false), secondsAfterClose(0))).toBe(true);
    expect(pushAppended(appended(true, true), secondsAfterClose(REANNOUNCE_WINDOW_SECONDS * 2))).toBe(true);
  });

  it('pushes a retry of a recent message again: its first attempt may have failed before the push', () => {
    expect(pushAppended(appended(true, false), secondsAfterClose(20))).toBe(true);
    expect(pushAppended(appended(true, false), secondsAfterClose(REANNOUNCE_WINDOW_SECONDS))).toBe(true);
  });

  it('answers a stale retry of an old message without pushing it', () => {
    expect(pushAppended(appended(true, false), secondsAfterClose(REANNOUNCE_WINDOW_SECONDS + 1))).toBe(false);
  });
});
