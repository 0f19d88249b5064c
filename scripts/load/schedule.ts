/**
 * The send schedule of an open-loop run: a fixed rate or a linear ramp over the run's
 * duration. Pure: the driver asks how many sends are due by an elapsed time and sends the
 * difference, so a late tick catches up instead of lowering the rate.
 */

export class LoadOptionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LoadOptionError';
  }
}

export interface RateSchedule {
  /** Sends per second at the start and at the end (equal for a fixed rate). */
  readonly fromPerSecond: number;
  readonly toPerSecond: number;
  readonly durationMs: number;
}

/** `200/s`, `200` (per second) or `1200/min`. */
export function parseRate(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|min|m))?\s*$/.exec(text);
  if (!match) throw new LoadOptionError(`not a rate: "${text}" (e.g. 200/s or 600/min)`);
  const value = Number(match[1]);
  const perSecond = match[2] === 'min' || match[2] === 'm' ? value / 60 : value;
  if (!(perSecond > 0)) throw new LoadOptionError(`a rate must be above 0, not "${text}"`);
  return perSecond;
}

/** `10..300/s`: from 10/s at the start to 300/s at the end. */
export function parseRamp(text: string): { from: number; to: number } {
  const match = /^\s*(\d+(?:\.\d+)?)\s*\.\.\s*(.+)$/.exec(text);
  if (!match) throw new LoadOptionError(`not a ramp: "${text}" (e.g. 10..300/s)`);
  const unit = /\/\s*(s|sec|min|m)\s*$/.exec(match[2]!)?.[0] ?? '';
  const from = parseRate(`${match[1]}${unit}`);
  return { from, to: parseRate(match[2]!) };
}

/** `60s`, `2m`, `500ms` or a bare number of seconds. */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min)?\s*$/.exec(text);
  if (!match) throw new LoadOptionError(`not a duration: "${text}" (e.g. 60s, 2m, 500ms)`);
  const value = Number(match[1]);
  const ms = match[2] === 'ms' ? value : match[2] === 'm' || match[2] === 'min' ? value * 60_000 : value * 1000;
  if (!(ms > 0)) throw new LoadOptionError(`a duration must be above 0, not "${text}"`);
  return ms;
}

/** The rate (sends per second) at an elapsed time. */
export function rateAt(schedule: RateSchedule, elapsedMs: number): number {
  const t = Math.min(Math.max(elapsedMs, 0), schedule.durationMs);
  return schedule.fromPerSecond + ((schedule.toPerSecond - schedule.fromPerSecond) * t) / schedule.durationMs;
}

/**
 * How many sends are due by an elapsed time: the integral of the rate from 0 (the first send
 * is due at once), never more than the whole run's total.
 */
export function sendsDue(schedule: RateSchedule, elapsedMs: number): number {
  if (elapsedMs < 0) return 0;
  const t = Math.min(elapsedMs, schedule.durationMs) / 1000;
  const duration = schedule.durationMs / 1000;
  const area = schedule.fromPerSecond * t + ((schedule.toPerSecond - schedule.fromPerSecond) * t * t) / (2 * duration);
  return Math.min(totalSends(schedule), Math.floor(area + 1e-9) + 1);
}

/** Every send of the run. */
export function totalSends(schedule: RateSchedule): number {
  const area = ((schedule.fromPerSecond + schedule.toPerSecond) / 2) * (schedule.durationMs / 1000);
  return Math.max(1, Math.floor(area + 1e-9));
}
