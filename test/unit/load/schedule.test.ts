import { describe, expect, it } from 'vitest';
import { LoadOptionError, parseDuration, parseRamp, parseRate, rateAt, sendsDue, totalSends } from '../../../scripts/load/schedule';

describe('rate parsing', () => {
  it('reads per-second and per-minute rates, bare numbers per second', () => {
    expect(parseRate('200/s')).toBe(200);
    expect(parseRate('600/min')).toBe(10);
    expect(parseRate('12.5')).toBe(12.5);
  });
  it('refuses what is not a rate above zero', () => {
    for (const bad of ['', 'fast', '0/s', '-3/s', '10/h']) expect(() => parseRate(bad), bad).toThrow(LoadOptionError);
  });
  it('reads a ramp with the unit on its end', () => {
    expect(parseRamp('10..300/s')).toEqual({ from: 10, to: 300 });
    expect(parseRamp('60..120/min')).toEqual({ from: 1, to: 2 });
    expect(() => parseRamp('10-300/s')).toThrow(LoadOptionError);
  });
  it('reads durations', () => {
    expect(parseDuration('60s')).toBe(60_000);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('3')).toBe(3_000);
    expect(() => parseDuration('0s')).toThrow(LoadOptionError);
    expect(() => parseDuration('soon')).toThrow(LoadOptionError);
  });
});

describe('rate schedule', () => {
  const fixed = { fromPerSecond: 200, toPerSecond: 200, durationMs: 60_000 };
  const ramp = { fromPerSecond: 10, toPerSecond: 300, durationMs: 10_000 };

  it('sends the first message at once and the rate times the elapsed time after', () => {
    expect(sendsDue(fixed, 0)).toBe(1);
    expect(sendsDue(fixed, 1_000)).toBe(201);
    expect(sendsDue(fixed, 30_000)).toBe(6_001);
    expect(sendsDue(fixed, -5)).toBe(0);
  });
  it('never schedules more than the run total, even after the end', () => {
    expect(totalSends(fixed)).toBe(12_000);
    expect(sendsDue(fixed, 60_000)).toBe(12_000);
    expect(sendsDue(fixed, 600_000)).toBe(12_000);
  });
  it('ramps linearly: the rate moves from start to end and the sends are its integral', () => {
    expect(rateAt(ramp, 0)).toBe(10);
    expect(rateAt(ramp, 5_000)).toBe(155);
    expect(rateAt(ramp, 10_000)).toBe(300);
    expect(rateAt(ramp, 20_000)).toBe(300);
    // Integral over 10 s of 10 -> 300: (10 + 300) / 2 * 10 = 1550.
    expect(totalSends(ramp)).toBe(1_550);
    // First second: 10 + 29/2 = 24.5 sends, so 24 due after the one at 0 (25 in all).
    expect(sendsDue(ramp, 1_000)).toBe(25);
    // A late tick catches up: the count depends on the elapsed time only.
    let previous = 0;
    for (let ms = 0; ms <= 10_000; ms += 137) {
      const due = sendsDue(ramp, ms);
      expect(due).toBeGreaterThanOrEqual(previous);
      previous = due;
    }
  });
  it('keeps a short run at a low rate to at least one send', () => {
    expect(totalSends({ fromPerSecond: 0.1, toPerSecond: 0.1, durationMs: 1_000 })).toBe(1);
  });
});
