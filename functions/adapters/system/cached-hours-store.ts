import type { BusinessHours } from '../../domain/business-hours';
import type { Clock } from '../../ports/clock';
import type { AnnouncedAvailability, HoursStore } from '../../ports/hours-store';

/**
 * Keeps hours reads for a few seconds in the Lambda container: the public availability route
 * and every start read them, and they change rarely. A write through this store replaces its
 * own entry at once; other containers see a change within `ttlMs`.
 */
export class CachedHoursStore implements HoursStore {
  private readonly entries = new Map<string, { hours: BusinessHours | undefined; expiresAt: number }>();

  constructor(
    private readonly inner: HoursStore,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  async get(skill: string): Promise<BusinessHours | undefined> {
    const now = this.clock.now().getTime();
    const cached = this.entries.get(skill);
    if (cached && cached.expiresAt > now) return cached.hours;
    const hours = await this.inner.get(skill);
    this.entries.set(skill, { hours, expiresAt: now + this.ttlMs });
    return hours;
  }

  async put(skill: string, hours: BusinessHours, change: { by: string; now: string }): Promise<void> {
    this.entries.delete(skill);
    await this.inner.put(skill, hours, change);
    this.entries.set(skill, { hours, expiresAt: this.clock.now().getTime() + this.ttlMs });
  }

  lastAnnounced(skill: string): Promise<AnnouncedAvailability | undefined> {
    return this.inner.lastAnnounced(skill);
  }

  rememberAnnounced(skill: string, announced: AnnouncedAvailability): Promise<void> {
    return this.inner.rememberAnnounced(skill, announced);
  }
}
