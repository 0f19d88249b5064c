import type { AvailabilityFrame } from '../parley-client/src/index';
import type { SkillAvailability } from '../web/http-api';

/** How often the widget asks again while its panel is open (live frames arrive in between when connected). */
export const AVAILABILITY_POLL_MS = 30_000;

export interface IntervalTimers {
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface AvailabilityWatchDeps {
  readonly fetch: (skill: string | undefined) => Promise<SkillAvailability>;
  readonly timers: IntervalTimers;
  /** Called when `current` or `settled` changed. */
  readonly onChange: () => void;
  readonly onError: (error: unknown) => void;
}

/**
 * The widget's skill's availability from two sources: `GET /v1/availability` (on load, every
 * 30 s while the panel is open, when the page becomes visible) and live `availability`
 * frames. Whichever arrives last wins; an answer to a request sent before a newer update
 * arrived is dropped, so a slow poll never undoes a live change.
 */
export class AvailabilityWatch {
  private value: SkillAvailability | undefined;
  private version = 0;
  private timer: unknown;
  /** Set after the first answer or failure: until then the widget does not know what to show. */
  private settledOnce = false;

  constructor(
    private readonly deps: AvailabilityWatchDeps,
    private readonly skill: string | undefined,
  ) {}

  get current(): SkillAvailability | undefined {
    return this.value;
  }

  get settled(): boolean {
    return this.settledOnce;
  }

  async refresh(): Promise<void> {
    const asked = this.version;
    try {
      const answer = await this.deps.fetch(this.skill);
      if (this.version === asked) {
        this.settledOnce = true;
        this.apply(answer);
      }
    } catch (error) {
      this.deps.onError(error);
    } finally {
      if (!this.settledOnce) {
        this.settledOnce = true;
        // Failing open: without an answer the widget behaves as it did before availability existed.
        if (this.value === undefined) this.deps.onChange();
      }
    }
  }

  /** A live frame: taken when it is about this widget's skill (the deployment default's name once known). */
  live(frame: AvailabilityFrame): void {
    const mine = this.skill ?? this.value?.skill;
    if (mine !== undefined && frame.skill !== mine) return;
    const { type: _type, ...availability } = frame;
    this.settledOnce = true;
    this.apply(availability);
  }

  /** Polls every AVAILABILITY_POLL_MS while `on` (the panel is open). */
  poll(on: boolean): void {
    if (on && this.timer === undefined) {
      this.timer = this.deps.timers.setInterval(() => void this.refresh(), AVAILABILITY_POLL_MS);
    } else if (!on && this.timer !== undefined) {
      this.deps.timers.clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private apply(availability: SkillAvailability): void {
    this.version += 1;
    this.value = availability;
    this.deps.onChange();
  }
}
