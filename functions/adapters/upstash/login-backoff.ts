import { createHash } from 'node:crypto';
import type { Redis } from '@upstash/redis';
import type { LoginBackoff } from '../../ports/rate-limiter';
import { HotStateError } from './agent-presence';

export interface LoginBackoffPolicy {
  /** Failures allowed before the first lock. */
  readonly freeAttempts: number;
  /** The first lock; each further failure doubles it, up to `maxLockMs`. */
  readonly baseLockMs: number;
  readonly maxLockMs: number;
  /** Failures are forgotten this long after the last one. */
  readonly memoryMs: number;
}

export const DEFAULT_LOGIN_BACKOFF: LoginBackoffPolicy = {
  freeAttempts: 5,
  baseLockMs: 1000,
  maxLockMs: 15 * 60 * 1000,
  memoryMs: 60 * 60 * 1000,
};

// KEYS: failures, lock. ARGV: memoryMs, freeAttempts, baseLockMs, maxLockMs. Returns the lock in ms.
const RECORD_FAILURE = `
local failures = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
local free = tonumber(ARGV[2])
if failures <= free then return 0 end
local lock = tonumber(ARGV[3]) * (2 ^ (failures - free - 1))
local cap = tonumber(ARGV[4])
if lock > cap then lock = cap end
lock = math.floor(lock)
redis.call('SET', KEYS[2], '1', 'PX', lock)
return lock
`;

/** Failed logins counted in Redis per identity; the identity is hashed so no email lands in a key. */
export class UpstashLoginBackoff implements LoginBackoff {
  constructor(
    private readonly redis: () => Promise<Redis>,
    private readonly policy: LoginBackoffPolicy = DEFAULT_LOGIN_BACKOFF,
    private readonly prefix = 'parley:login:',
  ) {}

  private keys(identity: string): [string, string] {
    const digest = createHash('sha256').update(identity, 'utf8').digest('base64url').slice(0, 32);
    return [`${this.prefix}failures:${digest}`, `${this.prefix}lock:${digest}`];
  }

  private async run<T>(what: string, call: (redis: Redis) => Promise<T>): Promise<T> {
    try {
      return await call(await this.redis());
    } catch (error) {
      throw new HotStateError(`Redis login back-off ${what} failed`, { cause: error });
    }
  }

  async lockedForMs(identity: string): Promise<number> {
    const [, lock] = this.keys(identity);
    const ttl = await this.run('read', (redis) => redis.pttl(lock));
    return Math.max(ttl, 0);
  }

  async recordFailure(identity: string): Promise<number> {
    const { memoryMs, freeAttempts, baseLockMs, maxLockMs } = this.policy;
    const reply = await this.run('record', (redis) =>
      redis.eval(RECORD_FAILURE, this.keys(identity), [memoryMs, freeAttempts, baseLockMs, maxLockMs].map(String)),
    );
    return Number(reply) || 0;
  }

  async reset(identity: string): Promise<void> {
    await this.run('reset', (redis) => redis.del(...this.keys(identity)));
  }
}
