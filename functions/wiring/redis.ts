import { Redis } from '@upstash/redis';
import { UpstashAgentPresence } from '../adapters/upstash/agent-presence';
import { UpstashConnectionDirectory } from '../adapters/upstash/connection-directory';
import { UpstashLoginBackoff } from '../adapters/upstash/login-backoff';
import { UpstashRateLimiter } from '../adapters/upstash/rate-limiter';
import { type Config, parseRateLimit } from '../config';
import { LIMIT_RULE_NAMES, LIMIT_RULES, type LimitRuleName } from '../domain/limits';
import type { RateLimit } from '../ports/rate-limiter';
import { once, type PortFactories, type WiringContext } from './context';
import type { GroupPortName } from './groups';
import { secretSource } from './secrets';

/** How long a rate-limit check waits for Redis before its rule's fail policy applies. */
const FAIL_OPEN_TIMEOUT_MS = 1_000;
const FAIL_CLOSED_TIMEOUT_MS = 3_000;

/** The Upstash client, made on first use from the secret (a handler that never touches Redis never reads it). */
const redis = (ctx: WiringContext): (() => Promise<Redis>) =>
  ctx.memo('redis', () =>
    once(async () => {
      const { url, token } = await secretSource(ctx).upstash(ctx.config.UPSTASH_SECRET_ID);
      return new Redis({ url, token, automaticDeserialization: false, enableTelemetry: false });
    }),
  );

/**
 * Each rule's `<requests>/<seconds>` from the setting the rule table names. A rule that fails
 * closed waits longer for a slow Redis: refusing costs more than waiting there.
 */
const rateLimits = (ctx: WiringContext): Record<LimitRuleName, RateLimit> =>
  ctx.memo(
    'rateLimits',
    () =>
      Object.fromEntries(
        LIMIT_RULE_NAMES.map((rule) => [
          rule,
          {
            ...parseRateLimit(ctx.config[LIMIT_RULES[rule].setting as keyof Config] as string),
            timeoutMs: LIMIT_RULES[rule].failPolicy === 'closed' ? FAIL_CLOSED_TIMEOUT_MS : FAIL_OPEN_TIMEOUT_MS,
          },
        ]),
      ) as Record<LimitRuleName, RateLimit>,
  );

/** Users' live connections beside the rate-limit counters (docs/connection-directory.md). */
export const connectionDirectory = (ctx: WiringContext): UpstashConnectionDirectory =>
  ctx.memo(
    'connectionDirectory',
    () => new UpstashConnectionDirectory({ redis: redis(ctx), limits: rateLimits(ctx), entrySeconds: ctx.config.CONNECTION_TTL_SECONDS }),
  );

export const redisPorts: PortFactories<GroupPortName<'redis'>> = {
  presence: (ctx) =>
    new UpstashAgentPresence(redis(ctx), { defaultSkill: ctx.config.DEFAULT_SKILL, graceSeconds: ctx.config.PRESENCE_GRACE_SECONDS }),
  rateLimiter: (ctx) => new UpstashRateLimiter({ redis: redis(ctx), limits: rateLimits(ctx) }),
  connectionDirectory,
  loginBackoff: (ctx) =>
    new UpstashLoginBackoff(redis(ctx), {
      freeAttempts: ctx.config.LOGIN_FREE_ATTEMPTS,
      baseLockMs: ctx.config.LOGIN_LOCK_BASE_MS,
      maxLockMs: ctx.config.LOGIN_LOCK_MAX_SECONDS * 1000,
      memoryMs: Math.max(3600, ctx.config.LOGIN_LOCK_MAX_SECONDS * 2) * 1000,
    }),
};
