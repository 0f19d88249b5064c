import { parseArgs } from 'node:util';
import type { Pacing } from './driver';
import type { LoadOptions } from './run';
import { LoadOptionError, parseDuration, parseRamp, parseRate } from './schedule';

export const USAGE = `Usage: npm run load -- [--conversations N] [--per-agent N]
                      [--rate R/s | --ramp A..B/s] [--duration D] [--messages N]
                      [--max-in-flight N] [--drain D] [--idle K] [--text-chars N]
                      [--baseline relay] [--report PATH]
                      [--ws URL --http URL] [--admin-email E --admin-password P]

Drives N conversations over Parley's real protocol (guest tokens and agent sign-ins over
HTTP, WebSocket sync, start, message, ack; agents online with heartbeats, answering) and
reports connections held, msg/s, ack and delivery latency (p50/p90/p99/max), errors by
protocol code and, for the local stack, the server's CPU per message, share of a core and
memory (RSS, and per idle connection). Writes an HTML report (default load-reports/).

Pacing: without --rate or --ramp, each conversation keeps one message in flight (the next
send waits for the last one's ack and delivery), for --duration or --messages per
conversation. --rate 200/s sends at a fixed rate over the conversations in turn, open loop;
--ramp 10..300/s ramps linearly over --duration. Customer and agent alternate in each
conversation.

  --conversations N   conversations (a customer each), default 10
  --per-agent N       conversations per agent (their capacity, at most 50), default 10
  --duration D        sending time, e.g. 60s, 2m (default 30s)
  --messages N        sequential pacing: at most N messages per conversation
  --max-in-flight N   open loop: skip (and count) sends while N are unanswered (default 2000)
  --drain D           after the last send, wait up to D for acks and deliveries (default 30s)
  --idle K            idle connections opened first, for memory per connection (default 100
                      locally, 0 against a deployed stack)
  --text-chars N      characters per message (default 100)
  --step D            how long one setup request or frame may take (default 30s: a loaded machine can take
                      seconds per hop)
  --concurrency N     setup requests in parallel (default 4)
  --baseline relay    run the same load against a bare WebSocket relay too, and print ratios
  --report PATH       the HTML report (default load-reports/load-<time>.html; a .json beside it)
  --cpu-profile DIR   locally: a CPU profile of each server over the message phase alone
                      (DIR/<parley|relay>-message-phase.cpuprofile, for Chrome DevTools or speedscope)

Local (default): the local stack runs in a child process (as npm start, abuse limits
lifted) so its CPU and memory are its own. Deployed: --ws wss://.../<stage> --http
https://... with an admin's sign-in (--admin-email/--admin-password or LOAD_ADMIN_EMAIL,
LOAD_ADMIN_PASSWORD) who creates the run's agents and removes them afterwards.`;

export interface CliOptions {
  readonly load: LoadOptions;
  readonly reportPath: string;
  readonly help: boolean;
}

const positiveInt = (name: string, text: string, max = Number.MAX_SAFE_INTEGER): number => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > max)
    throw new LoadOptionError(`--${name} must be a whole number 0..${max}, not "${text}"`);
  return value;
};

/** Parses the command line; throws LoadOptionError with the reason for a bad flag. */
export function parseLoadArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, now = new Date()): CliOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        conversations: { type: 'string', default: '10' },
        'per-agent': { type: 'string', default: '10' },
        rate: { type: 'string' },
        ramp: { type: 'string' },
        duration: { type: 'string', default: '30s' },
        messages: { type: 'string' },
        'max-in-flight': { type: 'string', default: '2000' },
        drain: { type: 'string', default: '30s' },
        idle: { type: 'string' },
        'text-chars': { type: 'string', default: '100' },
        step: { type: 'string', default: '30s' },
        concurrency: { type: 'string', default: '4' },
        baseline: { type: 'string' },
        report: { type: 'string' },
        'cpu-profile': { type: 'string' },
        ws: { type: 'string' },
        http: { type: 'string' },
        'admin-email': { type: 'string' },
        'admin-password': { type: 'string' },
        skill: { type: 'string', default: 'load' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    throw new LoadOptionError((error as Error).message, { cause: error });
  }
  const text = (name: string) => values[name] as string | undefined;
  const conversations = positiveInt('conversations', text('conversations')!);
  if (conversations < 1) throw new LoadOptionError('--conversations must be at least 1');
  const perAgent = positiveInt('per-agent', text('per-agent')!, 50);
  if (perAgent < 1) throw new LoadOptionError('--per-agent must be at least 1');
  const durationMs = parseDuration(text('duration')!);
  if (text('rate') && text('ramp')) throw new LoadOptionError('--rate and --ramp are either-or');
  let pacing: Pacing;
  const maxInFlight = positiveInt('max-in-flight', text('max-in-flight')!);
  if (text('rate')) {
    const rate = parseRate(text('rate')!);
    pacing = { kind: 'rate', schedule: { fromPerSecond: rate, toPerSecond: rate, durationMs }, maxInFlight };
  } else if (text('ramp')) {
    const ramp = parseRamp(text('ramp')!);
    pacing = { kind: 'rate', schedule: { fromPerSecond: ramp.from, toPerSecond: ramp.to, durationMs }, maxInFlight };
  } else {
    pacing = {
      kind: 'sequential',
      durationMs,
      messagesPerConversation: text('messages') ? positiveInt('messages', text('messages')!) : undefined,
    };
  }
  if (text('messages') && pacing.kind !== 'sequential')
    throw new LoadOptionError('--messages is for sequential pacing (no --rate or --ramp)');
  const baseline = text('baseline');
  if (baseline !== undefined && baseline !== 'relay') throw new LoadOptionError(`--baseline: only "relay" is known, not "${baseline}"`);

  const ws = text('ws');
  const httpUrl = text('http');
  if ((ws === undefined) !== (httpUrl === undefined)) throw new LoadOptionError('--ws and --http go together (a deployed stack has both)');
  const adminEmail = text('admin-email') ?? env.LOAD_ADMIN_EMAIL;
  const adminPassword = text('admin-password') ?? env.LOAD_ADMIN_PASSWORD;
  let target: LoadOptions['target'];
  if (ws && httpUrl) {
    if (!adminEmail || !adminPassword) {
      throw new LoadOptionError(
        'a deployed stack needs an admin sign-in: --admin-email and --admin-password (or LOAD_ADMIN_EMAIL, LOAD_ADMIN_PASSWORD)',
      );
    }
    target = {
      kind: 'remote',
      wsUrl: ws.replace(/\/$/, ''),
      httpUrl: httpUrl.replace(/\/$/, ''),
      admin: { email: adminEmail, password: adminPassword },
    };
  } else {
    // The demo admin the local stack seeds (local/seed.ts).
    target = { kind: 'local', admin: { email: adminEmail ?? 'admin@example.com', password: adminPassword ?? 'parley-demo' } };
  }
  const idle = text('idle') === undefined ? (target.kind === 'local' ? 100 : 0) : positiveInt('idle', text('idle')!);
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return {
    help: values.help === true,
    reportPath: text('report') ?? `load-reports/load-${stamp}.html`,
    load: {
      conversations,
      perAgent,
      idle,
      pacing,
      drainMs: parseDuration(text('drain')!),
      textChars: positiveInt('text-chars', text('text-chars')!, 8000) || 1,
      stepMs: parseDuration(text('step')!),
      concurrency: Math.max(1, positiveInt('concurrency', text('concurrency')!)),
      target,
      baseline,
      skill: text('skill')!,
      ...(text('cpu-profile') ? { cpuProfileDir: text('cpu-profile')! } : {}),
    },
  };
}
