import { afterEach, describe, expect, it, vi } from 'vitest';
import { RateLimitedError, UnavailableError } from '../../../functions/domain/errors';
import type { LimitCheck } from '../../../functions/domain/limits';
import { enforceLimits, LIMITS_UNAVAILABLE_RETRY_MS } from '../../../functions/handlers/shared/rate-limit';
import type { RateDecision } from '../../../functions/ports/rate-limiter';
import type { Ports } from '../../../functions/services/context';
import { logger } from '../../../functions/shared/observability';
import { captureEmf } from '../../support/emf';

/** Ports with only a rate limiter that answers the given decisions. */
function portsAnswering(...decisions: RateDecision[]): { ports: Ports; seen: LimitCheck[][] } {
  const seen: LimitCheck[][] = [];
  const rateLimiter = {
    consume: async (checks: readonly LimitCheck[]) => {
      seen.push([...checks]);
      return decisions;
    },
  };
  return { ports: { rateLimiter } as unknown as Ports, seen };
}

/**
 * The EMF metrics the fallback emits (captured from stdout), as name and dimensions: each is
 * emitted with only the service dimension (the alarm's) and again by rule.
 */
function recordMetrics(): { recorded(): Array<{ name: string; unit: string; dimensions: Readonly<Record<string, string>> }> } {
  const emf = captureEmf();
  stops.push(emf.stop);
  vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
  return { recorded: () => emf.metrics().map(({ name, unit, dimensions }) => ({ name, unit, dimensions })) };
}
const stops: Array<() => void> = [];

afterEach(() => {
  for (const stop of stops.splice(0)) stop();
  vi.restoreAllMocks();
});

const message: LimitCheck = { rule: 'message', key: 'c1' };
const start: LimitCheck = { rule: 'start', key: 'u1' };

describe('enforceLimits', () => {
  it('passes when every counter allows, taking them in one call', async () => {
    const { ports, seen } = portsAnswering({ outcome: 'allowed' }, { outcome: 'allowed' });
    await enforceLimits(ports, [message, start]);
    expect(seen).toEqual([[message, start]]);
  });

  it('costs nothing when a route has no counters', async () => {
    const { ports, seen } = portsAnswering();
    await enforceLimits(ports, []);
    expect(seen).toEqual([]);
  });

  it('refuses with rate_limited and the longest wait when any counter is over', async () => {
    const { ports } = portsAnswering({ outcome: 'limited', retryAfterMs: 500 }, { outcome: 'limited', retryAfterMs: 90_000 });
    const refusal = await enforceLimits(ports, [message, start]).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(RateLimitedError);
    expect(refusal).toMatchObject({ code: 'rate_limited', retryAfterMs: 90_000, message: expect.stringMatching(/conversations started/) });
  });

  it('fails open on a cheap rule: lets it through, logs and counts RateLimitFailOpen', async () => {
    const metricsSeen = recordMetrics();
    const { ports } = portsAnswering({ outcome: 'unknown', reason: 'connect ECONNREFUSED' });
    await enforceLimits(ports, [message]);
    expect(metricsSeen.recorded()).toEqual([
      { name: 'RateLimitFailOpen', unit: 'Count', dimensions: { service: 'parley' } },
      { name: 'RateLimitFailOpen', unit: 'Count', dimensions: { service: 'parley', rule: 'message' } },
    ]);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(/let through/),
      expect.objectContaining({ rule: 'message', failPolicy: 'open' }),
    );
  });

  it('fails closed on a costly rule: unavailable with a retry hint, logged and counted RateLimitFailClosed', async () => {
    const metricsSeen = recordMetrics();
    const { ports } = portsAnswering({ outcome: 'unknown', reason: 'timeout' }, { outcome: 'unknown', reason: 'timeout' });
    const refusal = await enforceLimits(ports, [message, start]).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(UnavailableError);
    expect(refusal).toMatchObject({ code: 'unavailable', retryAfterMs: LIMITS_UNAVAILABLE_RETRY_MS });
    expect(metricsSeen.recorded()).toEqual([
      { name: 'RateLimitFailOpen', unit: 'Count', dimensions: { service: 'parley' } },
      { name: 'RateLimitFailOpen', unit: 'Count', dimensions: { service: 'parley', rule: 'message' } },
      { name: 'RateLimitFailClosed', unit: 'Count', dimensions: { service: 'parley' } },
      { name: 'RateLimitFailClosed', unit: 'Count', dimensions: { service: 'parley', rule: 'start' } },
    ]);
  });
});
