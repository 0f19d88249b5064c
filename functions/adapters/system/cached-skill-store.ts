import type { Clock } from '../../ports/clock';
import type { SkillStore, StoredSkill } from '../../ports/skill-store';

/**
 * Keeps the skill list for a few seconds in the Lambda container, so every `start` does not
 * query it. A skill missing from the copy is looked up again before it is refused (a skill an
 * admin just added works at once everywhere); a deleted skill stays usable in other
 * containers for at most `ttlMs`. Writes through this store replace its copy at once.
 */
export class CachedSkillStore implements SkillStore {
  private cached: { skills: StoredSkill[]; expiresAt: number } | undefined;

  constructor(
    private readonly inner: SkillStore,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  async list(): Promise<StoredSkill[]> {
    const now = this.clock.now().getTime();
    if (this.cached && this.cached.expiresAt > now) return this.cached.skills;
    return this.refresh();
  }

  async has(skill: string): Promise<boolean> {
    if ((await this.list()).some((stored) => stored.id === skill)) return true;
    return (await this.refresh()).some((stored) => stored.id === skill);
  }

  async put(skill: StoredSkill): Promise<void> {
    this.cached = undefined;
    await this.inner.put(skill);
  }

  async remove(skill: string): Promise<void> {
    this.cached = undefined;
    await this.inner.remove(skill);
  }

  private async refresh(): Promise<StoredSkill[]> {
    const skills = await this.inner.list();
    this.cached = { skills, expiresAt: this.clock.now().getTime() + this.ttlMs };
    return skills;
  }
}
