import { loadavg } from 'node:os';
import { join } from 'node:path';
import { drive, type DriveResult, type Pacing } from './driver';
import type { LoadSocket } from './load-socket';
import { ServerProcess, type Usage } from './server-process';
import { bucketize, maxOf, percentileCurve, slopeOf, summarize, type LatencySummary, type TimeBucket } from './stats';
import { mapBounded } from '../../functions/shared/bounded-pool';
import { parleyTarget, relayTarget, type LoadTarget } from './targets';

export interface LoadOptions {
  readonly conversations: number;
  /** Conversations per agent (the agents' capacity); agents = conversations / perAgent, rounded up. */
  readonly perAgent: number;
  /** Idle customer connections opened before the load, to measure memory per connection (local stack). */
  readonly idle: number;
  readonly pacing: Pacing;
  readonly drainMs: number;
  readonly textChars: number;
  /** One request or frame round trip may take this long in setup. */
  readonly stepMs: number;
  /** Setup requests in parallel. */
  readonly concurrency: number;
  readonly target:
    | { readonly kind: 'local'; readonly admin: { readonly email: string; readonly password: string } }
    | {
        readonly kind: 'remote';
        readonly wsUrl: string;
        readonly httpUrl: string;
        readonly admin: { readonly email: string; readonly password: string };
      };
  readonly baseline?: 'relay' | undefined;
  readonly skill: string;
  /** Locally: write a CPU profile of each server over the message phase here (`<kind>-message-phase.cpuprofile`). */
  readonly cpuProfileDir?: string;
  /** Progress lines (to stderr in the CLI). */
  readonly log?: (line: string) => void;
}

export interface ServerMeasure {
  readonly pid: number;
  /** CPU of the server process over the message phase (send to drained). */
  readonly cpuMs: number;
  readonly wallMs: number;
  readonly cpuMsPerMessage: number;
  /** CPU per message less what the server spends idle (timers, pollers, sweeps) over the same time. */
  readonly netCpuMsPerMessage: number;
  /** CPU time over wall time: 100 = one core busy. */
  readonly corePercent: number;
  /** The same with every connection open and nothing sent, over IDLE_CPU_WINDOW_MS before the phase. */
  readonly idleCorePercent: number;
  /** After start, before any connection (after a full GC). */
  readonly rssBaseBytes: number;
  readonly idleConnections: number;
  /** Growth per idle connection: the slope through measurements after each of IDLE_STEPS batches. */
  readonly rssPerIdleConnectionBytes: number;
  readonly heapPerIdleConnectionBytes: number;
  /**
   * Heap plus off-heap memory JS objects hold (Buffers, native handles) per idle connection: what
   * the connections keep, without the pages V8 and the allocator keep or return (RSS's noise).
   */
  readonly heldPerIdleConnectionBytes: number;
  readonly rssPeakBytes: number;
  readonly rssEndBytes: number;
  /** Heap in use after a full GC: before any connection, and after the message phase (growth that stays is held memory). */
  readonly heapBaseBytes: number;
  readonly heapEndBytes: number;
  /** One a second over the message phase. */
  readonly samples: ReadonlyArray<{ readonly atMs: number; readonly corePercent: number; readonly rssBytes: number }>;
}

export interface RunResult {
  readonly target: 'parley' | 'relay';
  readonly where: string;
  readonly pacing: string;
  readonly conversations: number;
  /** Conversations that could not be set up (by reason in `errors`, as `setup:<reason>`). */
  readonly setupFailures: number;
  readonly agents: number;
  readonly connectionsHeld: number;
  readonly sent: number;
  readonly acked: number;
  readonly delivered: number;
  /** Sends answered by an `error` frame. */
  readonly refused: number;
  readonly skipped: number;
  readonly unacked: number;
  readonly undelivered: number;
  readonly setupMs: number;
  readonly sendingMs: number;
  readonly totalMs: number;
  readonly sentPerSecond: number;
  readonly deliveredPerSecond: number;
  readonly ack: LatencySummary;
  readonly delivery: LatencySummary;
  readonly ackCurve: ReadonlyArray<[number, number]>;
  readonly deliveryCurve: ReadonlyArray<[number, number]>;
  readonly ackBuckets: readonly TimeBucket[];
  readonly deliveryBuckets: readonly TimeBucket[];
  readonly errors: Readonly<Record<string, number>>;
  readonly server?: ServerMeasure | undefined;
  /** The machine's 1-minute load average before and after the run (the machine may be shared). */
  readonly loadAverage: { readonly before: number; readonly after: number };
}

export interface LoadReport {
  readonly startedAt: string;
  readonly command: string;
  readonly runs: readonly RunResult[];
  /** Why the baseline run failed, when it did (Parley's run is reported anyway). */
  readonly baselineFailure?: string;
}

/** How long the server's idle CPU is measured, with every connection open, before the message phase. */
const IDLE_CPU_WINDOW_MS = 3_000;
/** Idle connections open in this many equal batches, memory measured after each (see slopeOf). */
const IDLE_STEPS = 4;

/** Time buckets for the plots: about 60 of them over the run, at least 250 ms. */
function bucketMs(totalMs: number): number {
  return Math.max(250, Math.ceil(totalMs / 60 / 250) * 250);
}

/** The counts and latencies of one message phase. */
export function resultOf(
  drive: DriveResult,
): Omit<
  RunResult,
  'target' | 'where' | 'pacing' | 'conversations' | 'setupFailures' | 'agents' | 'connectionsHeld' | 'setupMs' | 'server' | 'loadAverage'
> {
  const acks = drive.samples
    .filter((sample) => sample.ackAt !== undefined)
    .map((sample) => [sample.sentAt, sample.ackAt! - sample.sentAt] as const);
  const deliveries = drive.samples
    .filter((sample) => sample.deliveredAt !== undefined)
    .map((sample) => [sample.sentAt, sample.deliveredAt! - sample.sentAt] as const);
  const size = bucketMs(drive.sendingMs);
  const seconds = Math.max(drive.sendingMs, 1) / 1000;
  return {
    sent: drive.samples.length,
    acked: acks.length,
    delivered: deliveries.length,
    refused: drive.samples.filter((sample) => sample.error !== undefined).length,
    skipped: drive.skipped,
    unacked: drive.samples.filter((sample) => sample.ackAt === undefined && sample.error === undefined).length,
    undelivered: drive.samples.filter((sample) => sample.deliveredAt === undefined && sample.error === undefined).length,
    sendingMs: drive.sendingMs,
    totalMs: drive.totalMs,
    sentPerSecond: drive.samples.length / seconds,
    deliveredPerSecond: deliveries.length / (Math.max(drive.totalMs, 1) / 1000),
    ack: summarize(acks.map(([, latency]) => latency)),
    delivery: summarize(deliveries.map(([, latency]) => latency)),
    ackCurve: percentileCurve(acks.map(([, latency]) => latency)),
    deliveryCurve: percentileCurve(deliveries.map(([, latency]) => latency)),
    ackBuckets: bucketize(acks, size),
    deliveryBuckets: bucketize(deliveries, size),
    errors: drive.errors,
  };
}

export function describePacing(pacing: Pacing): string {
  if (pacing.kind === 'sequential') {
    const limit = pacing.messagesPerConversation === undefined ? '' : `, at most ${pacing.messagesPerConversation} per conversation`;
    return `sequential (one message in flight per conversation) for ${pacing.durationMs / 1000} s${limit}`;
  }
  const { fromPerSecond, toPerSecond, durationMs } = pacing.schedule;
  const rate = fromPerSecond === toPerSecond ? `${fromPerSecond}/s` : `ramp ${fromPerSecond}..${toPerSecond}/s`;
  return `${rate} for ${durationMs / 1000} s (at most ${pacing.maxInFlight} in flight)`;
}

/** One run against one target: setup, idle connections, the message phase, server usage, teardown. */
async function runOne(options: LoadOptions, kind: 'parley' | 'relay'): Promise<RunResult> {
  const log = options.log ?? (() => undefined);
  const loadBefore = loadavg()[0]!;
  const remote = kind === 'parley' && options.target.kind === 'remote' ? options.target : undefined;
  let server: ServerProcess | undefined;
  let target: LoadTarget;
  if (remote) {
    target = parleyTarget({
      httpUrl: remote.httpUrl,
      wsUrl: remote.wsUrl,
      admin: remote.admin,
      skill: options.skill,
      stepMs: options.stepMs,
      concurrency: options.concurrency,
      cleanUp: true,
    });
  } else {
    log(`${kind}: starting the server process`);
    server = await ServerProcess.start(kind, Math.max(120_000, options.stepMs * 12));
    target =
      kind === 'relay'
        ? relayTarget({ wsUrl: server.wsUrl, stepMs: options.stepMs, concurrency: options.concurrency })
        : parleyTarget({
            httpUrl: server.httpUrl!,
            wsUrl: server.wsUrl,
            admin: options.target.admin,
            skill: options.skill,
            stepMs: options.stepMs,
            concurrency: options.concurrency,
            cleanUp: false,
          });
  }
  const where = remote ? remote.wsUrl : `${server!.wsUrl} (pid ${server!.pid})`;
  let idle: LoadSocket[] = [];
  try {
    const measure = async (): Promise<Usage | undefined> => {
      if (!server) return undefined;
      // Twice: the first pass may leave garbage the second frees (finalizers, weak references).
      await server.collect();
      await server.collect();
      return server.usage();
    };
    // Warm-up: the first connections load the handlers' code and build their clients once;
    // without it that one-time cost would be charged to the idle connections.
    let warm: LoadSocket[] = [];
    if (options.idle > 0) warm = await target.openIdle(Math.max(1, Math.ceil(options.idle / 10)));
    const base = await measure();
    // Opened in steps, measured after each: the growth per connection is the slope through
    // every step, which one allocator or GC swing at either end cannot set alone.
    const steps: Array<{ connections: number; usage: Usage }> = base ? [{ connections: 0, usage: base }] : [];
    if (options.idle > 0) {
      log(`${kind}: opening ${options.idle} idle connections`);
      idle = [...warm];
      let opened = 0;
      for (let step = 1; step <= IDLE_STEPS; step++) {
        const batch = Math.round((options.idle * step) / IDLE_STEPS) - opened;
        if (batch === 0) continue;
        idle.push(...(await target.openIdle(batch)));
        opened += batch;
        const usage = await measure();
        if (usage) steps.push({ connections: opened, usage });
      }
    }
    const withIdle = steps.at(-1)?.usage;
    const setupStarted = performance.now();
    log(`${kind}: opening ${options.conversations} conversations`);
    const setup = await target.setup(options.conversations, options.perAgent);
    const setupMs = performance.now() - setupStarted;

    // What the server burns with everyone connected and nothing said (pollers, timers, sweeps).
    const idleStart = server ? await server.usage() : undefined;
    if (server) await new Promise((resolve) => setTimeout(resolve, IDLE_CPU_WINDOW_MS));
    const idleEnd = server ? await server.usage() : undefined;
    const idleCorePercent = idleStart && idleEnd ? ((idleEnd.cpuMs - idleStart.cpuMs) / IDLE_CPU_WINDOW_MS) * 100 : 0;

    log(`${kind}: sending (${describePacing(options.pacing)})`);
    const start = await measure();
    const profiling = server !== undefined && options.cpuProfileDir !== undefined;
    if (profiling) await server!.startProfile();
    const samples: Array<{ atMs: number; corePercent: number; rssBytes: number }> = [];
    let sampling = Promise.resolve();
    let previous = start;
    const phaseStarted = performance.now();
    let previousAt = phaseStarted;
    const sampler = server
      ? setInterval(() => {
          sampling = sampling.then(async () => {
            const usage = await server!.usage();
            const at = performance.now();
            samples.push({
              atMs: at - phaseStarted,
              corePercent: previous ? ((usage.cpuMs - previous.cpuMs) / (at - previousAt)) * 100 : 0,
              rssBytes: usage.rssBytes,
            });
            previous = usage;
            previousAt = at;
          });
        }, 1000)
      : undefined;
    const driven = await drive(setup.conversations, {
      pacing: options.pacing,
      drainMs: options.drainMs,
      textChars: options.textChars,
      stepMs: options.stepMs,
    });
    if (sampler) clearInterval(sampler);
    await sampling;
    const end = server ? await server.usage() : undefined;
    if (profiling)
      log(`${kind}: CPU profile ${await server!.stopProfile(join(options.cpuProfileDir!, `${kind}-message-phase.cpuprofile`))}`);
    const wallMs = performance.now() - phaseStarted;
    const collected = await measure();
    const connectionsHeld = [...new Set([...setup.sockets, ...idle])].filter((socket) => !socket.closed).length;
    const counts = resultOf(driven);
    const serverMeasure: ServerMeasure | undefined =
      server && base && withIdle && start && end
        ? {
            pid: server.pid,
            cpuMs: end.cpuMs - start.cpuMs,
            wallMs,
            cpuMsPerMessage: counts.delivered === 0 ? 0 : (end.cpuMs - start.cpuMs) / counts.delivered,
            netCpuMsPerMessage:
              counts.delivered === 0 ? 0 : Math.max(0, end.cpuMs - start.cpuMs - (idleCorePercent / 100) * wallMs) / counts.delivered,
            corePercent: ((end.cpuMs - start.cpuMs) / wallMs) * 100,
            idleCorePercent,
            rssBaseBytes: base.rssBytes,
            idleConnections: options.idle,
            rssPerIdleConnectionBytes: slopeOf(steps.map((step) => [step.connections, step.usage.rssBytes])),
            heapPerIdleConnectionBytes: slopeOf(steps.map((step) => [step.connections, step.usage.heapUsedBytes])),
            heldPerIdleConnectionBytes: slopeOf(
              steps.map((step) => [step.connections, step.usage.heapUsedBytes + step.usage.externalBytes]),
            ),
            rssPeakBytes: maxOf([end.rssBytes, ...samples.map((sample) => sample.rssBytes)]),
            rssEndBytes: end.rssBytes,
            heapBaseBytes: base.heapUsedBytes,
            heapEndBytes: collected?.heapUsedBytes ?? end.heapUsedBytes,
            samples,
          }
        : undefined;
    log(`${kind}: done; closing`);
    return {
      target: kind,
      where,
      pacing: describePacing(options.pacing),
      conversations: setup.conversations.length,
      agents: setup.agents,
      connectionsHeld,
      setupMs,
      ...counts,
      // Conversations that could not be set up count among the errors, as `setup:<reason>`.
      errors: { ...Object.fromEntries(Object.entries(setup.failures).map(([reason, n]) => [`setup:${reason}`, n])), ...counts.errors },
      setupFailures: Object.values(setup.failures).reduce((sum, n) => sum + n, 0),
      server: serverMeasure,
      loadAverage: { before: loadBefore, after: loadavg()[0]! },
    };
  } finally {
    await mapBounded(idle, options.concurrency, (socket) => socket.close());
    await target.teardown().catch(() => undefined);
    await server?.stop();
  }
}

/** The whole run: Parley, then the baseline relay when asked, each with the same load. */
export async function runLoad(options: LoadOptions, command = 'npm run load'): Promise<LoadReport> {
  const startedAt = new Date().toISOString();
  const runs = [await runOne(options, 'parley')];
  let baselineFailure: string | undefined;
  if (options.baseline === 'relay') {
    // Parley's numbers are kept whatever happens to the baseline.
    try {
      runs.push(await runOne(options, 'relay'));
    } catch (error) {
      baselineFailure = error instanceof Error ? error.message : String(error);
      options.log?.(`relay: failed: ${baselineFailure}`);
    }
  }
  return { startedAt, command, runs, ...(baselineFailure ? { baselineFailure } : {}) };
}
