import { afterEach, describe, expect, it, vi } from 'vitest';
import { RateLimitedError, UnavailableError } from '../../../functions/domain/errors';
import type { LimitCheck } from '../../../functions/domain/limits';
import { enforceLimits, LIMITS_UNAVAILABLE_RETRY_MS } from '../../../functions/handlers/shared/rate-limit';
import type { RateDecision } from '../../../functions/ports/rate-limiter';
import type { Ports } from '../../../functions/services/context';
import { logger, metrics } from '../../../functions/shared/observability';

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

/** Records the EMF metrics the fallback emits, by metric name and `rule` dimension. */
function recordMetrics(): Array<{ name: string; rule: string }> {
  const recorded: Array<{ name: string; rule: string }> = [];
  vi.spyOn(metrics, 'singleMetric').mockImplementation(() => {
    let rule = '';
    return {
      addDimension: (name: string, value: string) => {
        if (name === 'rule') rule = value;
      },
      addMetric: (name: string) => recorded.push({ name, rule }),
    } as unknown as ReturnType<typeof metrics.singleMetric>;
  });
  vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
  return recorded;
}

afterEach(() => {
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
    const recorded = recordMetrics();
    const { ports } = portsAnswering({ outcome: 'unknown', reason: 'connect ECONNREFUSED' });
    await enforceLimits(ports, [message]);
    expect(recorded).toEqual([{ name: 'RateLimitFailOpen', rule: 'message' }]);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(/let through/),
      expect.objectContaining({ rule: 'message', failPolicy: 'open' }),
    );
  });

  it('fails closed on a costly rule: unavailable with a retry hint, logged and counted RateLimitFailClosed', async () => {
    const recorded = recordMetrics();
    const { ports } = portsAnswering({ outcome: 'unknown', reason: 'timeout' }, { outcome: 'unknown', reason: 'timeout' });
    const refusal = await enforceLimits(ports, [message, start]).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(UnavailableError);
    expect(refusal).toMatchObject({ code: 'unavailable', retryAfterMs: LIMITS_UNAVAILABLE_RETRY_MS });
    expect(recorded).toEqual([
      { name: 'RateLimitFailOpen', rule: 'message' },
      { name: 'RateLimitFailClosed', rule: 'start' },
    ]);
  });
});
