import { describe, expect, it } from 'vitest';
import { CachedSkillStore } from '../../../functions/adapters/system/cached-skill-store';
import type { SkillStore, StoredSkill } from '../../../functions/ports/skill-store';

function counting(): SkillStore & { lists: number; stored: Map<string, StoredSkill> } {
  const stored = new Map<string, StoredSkill>();
  const store = {
    lists: 0,
    stored,
    list: async () => {
      store.lists++;
      return [...stored.values()];
    },
    has: async (skill: string) => stored.has(skill),
    put: async (skill: StoredSkill) => {
      stored.set(skill.id, skill);
    },
    remove: async (skill: string) => {
      stored.delete(skill);
    },
  };
  return store;
}

const skill = (id: string): StoredSkill => ({ id, names: { en: id }, updatedAt: 'now', updatedBy: 'test' });

describe('CachedSkillStore', () => {
  it('reads the list once per TTL for known skills, and looks again before refusing an unknown one', async () => {
    let nowMs = 0;
    const inner = counting();
    inner.stored.set('billing', skill('billing'));
    const cached = new CachedSkillStore(inner, { now: () => new Date(nowMs) }, 5_000);
    expect(await cached.has('billing')).toBe(true);
    expect(await cached.has('billing')).toBe(true);
    expect(inner.lists).toBe(1);
    // Added by an admin through another container: found on the second look, at once.
    inner.stored.set('vip', skill('vip'));
    expect(await cached.has('vip')).toBe(true);
    expect(inner.lists).toBe(2);
    expect(await cached.has('bilingg')).toBe(false);
    nowMs = 5_001;
    await cached.list();
    expect(inner.lists).toBe(4);
  });

  it('drops its copy on its own writes', async () => {
    const inner = counting();
    const cached = new CachedSkillStore(inner, { now: () => new Date(0) }, 5_000);
    expect(await cached.list()).toEqual([]);
    await cached.put(skill('tech'));
    expect((await cached.list()).map((stored) => stored.id)).toEqual(['tech']);
    await cached.remove('tech');
    expect(await cached.list()).toEqual([]);
  });
});
