import { describe, expect, it } from 'vitest';
import { CachedAutoReplyStore } from '../../../functions/adapters/system/cached-auto-reply-store';
import type { AutoReplyStore, StoredAutoReplies } from '../../../functions/ports/auto-reply-store';

function counting(): AutoReplyStore & { reads: number; stored: Map<string, StoredAutoReplies>; failNext: boolean } {
  const stored = new Map<string, StoredAutoReplies>();
  const store = {
    reads: 0,
    stored,
    failNext: false,
    get: async (skill: string) => {
      store.reads++;
      if (store.failNext) {
        store.failNext = false;
        throw new Error('unreachable');
      }
      return stored.get(skill);
    },
    put: async (value: StoredAutoReplies) => {
      stored.set(value.skill, value);
    },
  };
  return store;
}

const saved = (skill: string, welcome: string): StoredAutoReplies => ({
  skill,
  autoReplies: { rules: [], welcome: { en: welcome } },
  updatedAt: '2026-01-01T00:00:00.000Z',
  updatedBy: 'admin',
});

describe('CachedAutoReplyStore', () => {
  it('reads a skill once per TTL, misses included, and sees its own saves at once', async () => {
    let nowMs = 0;
    const inner = counting();
    const cached = new CachedAutoReplyStore(inner, { now: () => new Date(nowMs) }, 5_000);
    expect(await cached.get('billing')).toBeUndefined();
    expect(await cached.get('billing')).toBeUndefined();
    expect(inner.reads).toBe(1);
    await cached.put(saved('billing', 'Hi'));
    expect(await cached.get('billing')).toEqual(saved('billing', 'Hi'));
    expect(inner.reads).toBe(1);
    // Another container's save shows once the entry expires.
    inner.stored.set('billing', saved('billing', 'Hello'));
    nowMs = 4_999;
    expect((await cached.get('billing'))?.autoReplies.welcome).toEqual({ en: 'Hi' });
    nowMs = 5_001;
    expect((await cached.get('billing'))?.autoReplies.welcome).toEqual({ en: 'Hello' });
    expect(inner.reads).toBe(2);
  });

  it('keeps no failed read: the next caller asks again', async () => {
    const inner = counting();
    const cached = new CachedAutoReplyStore(inner, { now: () => new Date(0) }, 5_000);
    inner.failNext = true;
    await expect(cached.get('tech')).rejects.toThrow('unreachable');
    inner.stored.set('tech', saved('tech', 'Hi'));
    expect(await cached.get('tech')).toEqual(saved('tech', 'Hi'));
    expect(inner.reads).toBe(2);
  });
});
