import { afterEach, describe, expect, it, vi } from 'vitest';
import { RateLimitedError, UnavailableError } from '../../../functions/domain/errors';
import type { LimitCheck } from '../../../functions/domain/limits';
import { admitMessage, enforceLimits, LIMITS_UNAVAILABLE_RETRY_MS } from '../../../functions/handlers/shared/rate-limit';
import type { AdmittedMessage, DirectoryLookup } from '../../../functions/ports/connection-directory';
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

describe('admitMessage', () => {
  const perUser: LimitCheck = { rule: 'messagePerUser', key: 'u1' };
  const recipients: DirectoryLookup = { known: new Map(), fillTokens: new Map(), hinted: [], conversationId: 'conv-1' };

  function portsWithDirectory(admitted: AdmittedMessage) {
    const { ports, seen } = portsAnswering({ outcome: 'allowed' }, { outcome: 'allowed' }, { outcome: 'allowed' });
    const admits: Array<{ checks: LimitCheck[]; conversationId: string }> = [];
    const connectionDirectory = {
      admit: async (checks: readonly LimitCheck[], conversationId: string) => {
        admits.push({ checks: [...checks], conversationId });
        return admitted;
      },
    };
    return { ports: { ...ports, connectionDirectory } as unknown as Ports, seen, admits };
  }

  it('counts the limits in the directory and hands on its recipients', async () => {
    const { ports, seen, admits } = portsWithDirectory({ decisions: [{ outcome: 'allowed' }, { outcome: 'allowed' }], recipients });
    expect(await admitMessage(ports, [message, perUser], 'conv-1')).toBe(recipients);
    expect(admits).toEqual([{ checks: [message, perUser], conversationId: 'conv-1' }]);
    expect(seen).toEqual([]);
  });

  it('refuses as enforceLimits does when the directory says a counter is over', async () => {
    const { ports } = portsWithDirectory({ decisions: [{ outcome: 'limited', retryAfterMs: 700 }, { outcome: 'allowed' }], recipients });
    await expect(admitMessage(ports, [message, perUser], 'conv-1')).rejects.toMatchObject({ code: 'rate_limited', retryAfterMs: 700 });
  });

  it('fails open when Redis cannot be reached: no recipients, the push reads the record', async () => {
    recordMetrics();
    const { ports } = portsWithDirectory({
      decisions: [
        { outcome: 'unknown', reason: 'down' },
        { outcome: 'unknown', reason: 'down' },
      ],
    });
    expect(await admitMessage(ports, [message, perUser], 'conv-1')).toBeUndefined();
  });

  it('a first message (no conversation, `start` counted too) goes through the rate limiter, which fails closed', async () => {
    const { ports, seen, admits } = portsWithDirectory({ decisions: [], recipients });
    expect(await admitMessage(ports, [message, perUser, start], undefined)).toBeUndefined();
    expect(seen).toEqual([[message, perUser, start]]);
    expect(admits).toEqual([]);
  });
});
