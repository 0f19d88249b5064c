import { describe, expect, it } from 'vitest';
import { CachedHoursStore } from '../../../functions/adapters/system/cached-hours-store';
import { ALWAYS_OPEN, type BusinessHours } from '../../../functions/domain/business-hours';
import type { HoursStore } from '../../../functions/ports/hours-store';

function counting(): HoursStore & { reads: number; stored: Map<string, BusinessHours> } {
  const stored = new Map<string, BusinessHours>();
  const store = {
    reads: 0,
    stored,
    get: async (skill: string) => {
      store.reads++;
      return stored.get(skill);
    },
    put: async (skill: string, hours: BusinessHours) => {
      stored.set(skill, hours);
    },
    lastAnnounced: async () => undefined,
    rememberAnnounced: async () => undefined,
  };
  return store;
}

describe('CachedHoursStore', () => {
  it('reads a skill once per TTL, misses included, and sees its own writes at once', async () => {
    let nowMs = 0;
    const inner = counting();
    const cached = new CachedHoursStore(inner, { now: () => new Date(nowMs) }, 5_000);
    expect(await cached.get('billing')).toBeUndefined();
    expect(await cached.get('billing')).toBeUndefined();
    expect(inner.reads).toBe(1);
    await cached.put('billing', ALWAYS_OPEN, { by: 'admin', now: '' });
    expect(await cached.get('billing')).toEqual(ALWAYS_OPEN);
    expect(inner.reads).toBe(1);
    // Another container's write shows once the entry expires.
    inner.stored.set('billing', { ...ALWAYS_OPEN, behaviour: 'form' });
    nowMs = 4_999;
    expect((await cached.get('billing'))?.behaviour).toBe('queue');
    nowMs = 5_001;
    expect((await cached.get('billing'))?.behaviour).toBe('form');
    expect(inner.reads).toBe(2);
  });
});
