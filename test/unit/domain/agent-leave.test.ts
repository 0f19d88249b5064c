import { describe, expect, it } from 'vitest';
import { shouldGoAway } from '../../../functions/domain/agent-leave';

const LEFT_AT = '2026-11-30T10:00:00.000Z';

describe('shouldGoAway', () => {
  it('moves an online agent with no connection left', () => {
    expect(shouldGoAway('online', [], LEFT_AT)).toBe(true);
  });

  it('keeps an agent who reconnected at or after the disconnect', () => {
    expect(shouldGoAway('online', [{ connectedAt: '2026-11-30T10:00:05.000Z' }], LEFT_AT)).toBe(false);
    expect(shouldGoAway('online', [{ connectedAt: LEFT_AT }], LEFT_AT)).toBe(false);
  });

  it('ignores a record older than the disconnect (its $disconnect never ran)', () => {
    expect(shouldGoAway('online', [{ connectedAt: '2026-11-30T09:00:00.000Z' }], LEFT_AT)).toBe(true);
  });

  it('leaves an agent who chose away or offline, or whose presence is gone, as it is', () => {
    expect(shouldGoAway('away', [], LEFT_AT)).toBe(false);
    expect(shouldGoAway('offline', [], LEFT_AT)).toBe(false);
    expect(shouldGoAway(undefined, [], LEFT_AT)).toBe(false);
  });
});
