import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { FaultCounts } from '../../local/faults/fault-injector';
import type { FaultSettings } from '../../local/faults/fault-settings';
import type { LambdaHandler } from '../../local/gateway/lambda-handler';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { liftedLimits } from '../../local/tools/lifted-limits';
import { ROUTER_TIMEOUT_SECONDS } from '../../lib/routing-queue-settings';

/** An external stack to run against (a deployment, or a separate `npm start`). */
export interface ExternalTarget {
  readonly wsUrl: string;
  readonly httpUrl: string;
}

/**
 * What the chaos run drives: the in-process local stack (every fault, restartable on the same
 * ports with its DynamoDB kept on disk), or an external stack (client-side chaos only, plus
 * Redis faults when it is given the stack's Redis URL).
 */
export interface ChaosTarget {
  readonly kind: 'local' | 'external';
  readonly wsUrl: string;
  readonly httpUrl: string;
  /** The in-process stack now (absent for an external target); a restart replaces it. */
  readonly local: LocalStack | undefined;
  /** Why a fault cannot run against this target, or undefined when it can. */
  unsupported(fault: 'injected' | 'redis-flush' | 'redis-kill' | 'restart'): string | undefined;
  setFaults(settings: Partial<FaultSettings>): void;
  faultCounts(): FaultCounts | undefined;
  /** Handler invocations running now (0 for an external target: it cannot be seen). */
  invocationsInFlight(): number;
  /** Every Redis key gone (FLUSHALL). */
  flushRedis(): Promise<void>;
  /** Redis unreachable for `seconds`, then back (the embedded engine's switch, or a paused real Redis). */
  killRedis(seconds: number): Promise<void>;
  /** Stops the local stack and starts it again on the same ports and data (clients reconnect). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface TargetOptions {
  readonly external?: ExternalTarget;
  /** A real Redis: the local stack's Upstash endpoint uses it; for an external stack, the Redis it uses. */
  readonly redisUrl?: string;
  readonly seed: number;
  /** Keep DynamoDB on disk so a restart keeps it (needed for the restart fault). */
  readonly persistent: boolean;
  /** How often the local stack's scheduled functions run (each one's AWS rate by default). */
  readonly scheduleIntervalMs?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function openTarget(options: TargetOptions): Promise<ChaosTarget> {
  return options.external ? externalTarget(options.external, options.redisUrl) : localTarget(options);
}

async function localTarget(options: TargetOptions): Promise<ChaosTarget> {
  let inFlight = 0;
  // The audit waits for no invocation in flight, so a slow one from the faulty phase cannot
  // push a live frame into the audit's connection mid-sync.
  const countInvocations =
    (_name: string, handler: LambdaHandler): LambdaHandler =>
    async (event, context) => {
      inFlight += 1;
      try {
        return await handler(event, context);
      } finally {
        inFlight -= 1;
      }
    };
  const dataDir = options.persistent ? await mkdtemp(join(tmpdir(), 'parley-chaos-')) : undefined;
  let settings: Partial<FaultSettings> = {};
  let carried: FaultCounts | undefined;
  const start = (ports: { httpPort: number; wsPort: number }) =>
    startLocalStack({
      ...ports,
      demo: false,
      instrument: countInvocations,
      faults: settings,
      faultSeed: options.seed,
      // CHAOS_SERVER_LOG_LEVEL (e.g. WARN) shows the handlers' warnings when a run needs explaining.
      logLevel: process.env.CHAOS_SERVER_LOG_LEVEL ?? 'ERROR',
      // The chaos run is about faults, not abuse limits: lift every limit and connection cap.
      env: {
        ...liftedLimits(),
        // A run that compresses the schedule compresses the claim age with it: reconcile may take
        // back an unbacked claim once no router can still be between its claim and its write
        // (the router's timeout), instead of after the 120 s meant for a once-a-minute schedule.
        ...(options.scheduleIntervalMs ? { CLAIM_MIN_AGE_SECONDS: String(ROUTER_TIMEOUT_SECONDS + 5) } : {}),
      },
      ...(dataDir ? { dataDir } : {}),
      ...(options.redisUrl ? { redisUrl: options.redisUrl } : {}),
      ...(options.scheduleIntervalMs ? { scheduleIntervalMs: options.scheduleIntervalMs } : {}),
    });
  let stack = await start({ httpPort: 0, wsPort: 0 });
  const portOf = (url: string) => Number(new URL(url).port);
  const ports = { httpPort: portOf(stack.httpUrl), wsPort: portOf(stack.wsUrl) };
  const realRedis = options.redisUrl ? new RealRedis(options.redisUrl) : undefined;
  return {
    kind: 'local',
    wsUrl: stack.wsUrl,
    httpUrl: stack.httpUrl,
    get local() {
      return stack;
    },
    unsupported: (fault) => (fault === 'restart' && !dataDir ? 'the stack keeps no data on disk' : undefined),
    setFaults: (change) => {
      settings = { ...settings, ...change };
      stack.faults!.update(change);
    },
    faultCounts: () => sumCounts(carried, stack.faults!.counts()),
    invocationsInFlight: () => inFlight,
    flushRedis: () => (realRedis ? realRedis.flush() : stack.redis.flushAll()),
    killRedis: async (seconds) => {
      if (realRedis) return realRedis.pause(seconds);
      stack.redis.setReachable(false);
      await sleep(seconds * 1000);
      stack.redis.setReachable(true);
    },
    restart: async () => {
      carried = sumCounts(carried, stack.faults!.counts());
      await stack.stop();
      stack = await start(ports);
    },
    stop: async () => {
      try {
        await stack.stop();
      } finally {
        await realRedis?.close();
        if (dataDir) await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}

function externalTarget(target: ExternalTarget, redisUrl: string | undefined): ChaosTarget {
  const realRedis = redisUrl ? new RealRedis(redisUrl) : undefined;
  const noRedis = 'an external stack and no REDIS_URL for its Redis';
  return {
    kind: 'external',
    ...target,
    local: undefined,
    unsupported: (fault) => {
      if (fault === 'injected') return 'injected faults need the local stack (its emulators and proxies)';
      if (fault === 'restart') return 'restarting needs the local stack in this process';
      return realRedis ? undefined : noRedis;
    },
    setFaults: () => undefined,
    faultCounts: () => undefined,
    invocationsInFlight: () => 0,
    flushRedis: async () => {
      if (!realRedis) throw new Error(noRedis);
      await realRedis.flush();
    },
    killRedis: async (seconds) => {
      if (!realRedis) throw new Error(noRedis);
      await realRedis.pause(seconds);
    },
    restart: async () => {
      throw new Error('restarting needs the local stack in this process');
    },
    stop: async () => {
      await realRedis?.close();
    },
  };
}

/**
 * A real Redis the chaos run breaks directly: FLUSHALL, and an outage as `CLIENT PAUSE ALL`
 * (every client's commands hang until it ends, as with a Redis that stopped answering; the
 * server keeps its data and ports, so nothing outside the run has to restart it).
 */
class RealRedis {
  private readonly client: Redis;

  constructor(url: string) {
    this.client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
  }

  async flush(): Promise<void> {
    await this.client.flushall();
  }

  async pause(seconds: number): Promise<void> {
    await this.client.call('CLIENT', 'PAUSE', String(seconds * 1000), 'ALL');
    await sleep(seconds * 1000);
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }
}

function sumCounts(a: FaultCounts | undefined, b: FaultCounts): FaultCounts {
  if (!a) return b;
  return Object.fromEntries(Object.entries(b).map(([key, value]) => [key, value + a[key as keyof FaultCounts]])) as unknown as FaultCounts;
}
