import type { Clock } from '../../ports/clock';
import type { AutoReplyStore, StoredAutoReplies } from '../../ports/auto-reply-store';

/**
 * Keeps each skill's auto-replies (and their absence) for a few seconds in the Lambda
 * container: every `start` with text reads its skill's, and `_default`'s when it has none,
 * and they change rarely. A save through this store replaces its own entry at once; other
 * containers see a change within `ttlMs` (the skill list's cache, SKILLS_CACHE_SECONDS).
 */
export class CachedAutoReplyStore implements AutoReplyStore {
  private readonly entries = new Map<string, { stored: Promise<StoredAutoReplies | undefined>; expiresAt: number }>();

  constructor(
    private readonly inner: AutoReplyStore,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  get(skill: string): Promise<StoredAutoReplies | undefined> {
    const now = this.clock.now().getTime();
    const cached = this.entries.get(skill);
    if (cached && cached.expiresAt > now) return cached.stored;
    const stored = this.inner.get(skill);
    const entry = { stored, expiresAt: now + this.ttlMs };
    this.entries.set(skill, entry);
    // A failed read is not kept: the next caller asks again.
    stored.catch(() => {
      if (this.entries.get(skill) === entry) this.entries.delete(skill);
    });
    return stored;
  }

  async put(stored: StoredAutoReplies): Promise<void> {
    this.entries.delete(stored.skill);
    await this.inner.put(stored);
    this.entries.set(stored.skill, { stored: Promise.resolve(stored), expiresAt: this.clock.now().getTime() + this.ttlMs });
  }
}
