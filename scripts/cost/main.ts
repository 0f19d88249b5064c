import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { type BenchCounts, BenchCountsError, DEFAULT_COUNTS_PATH, MEASURED_COUNTS_PATH, readBenchCounts } from './bench-counts';
import { renderReport } from './render';
import { CostModelError, DEFAULT_ASSUMPTIONS, DEFAULT_PROFILE, costReport, type TrafficProfile } from './model';
import { PRICE_TABLE } from './prices';

/**
 * `npm run cost`: dollars per 1M chat messages and per month for a traffic profile, from the
 * request counts `npm run bench` measured (.bench/counts.json when present, else the committed
 * scripts/cost/measured-counts.json) and the price table in scripts/cost/prices.ts.
 *
 *   npm run cost -- --conversations-per-day 50000 --messages-per-conversation 16 \
 *     --connection-minutes 12 --agents 200 --agent-hours 8
 *   npm run bench && npm run cost -- --write-measured   # refresh the committed counts
 */
const USAGE = `Usage: npm run cost -- [options]
  --conversations-per-day N     conversations a day (default ${DEFAULT_PROFILE.conversationsPerDay})
  --messages-per-conversation N chat messages per conversation, both sides (default ${DEFAULT_PROFILE.messagesPerConversation})
  --connection-minutes N        minutes a customer stays connected per conversation (default ${DEFAULT_PROFILE.connectionMinutesPerConversation})
  --agents N                    agents (default ${DEFAULT_PROFILE.agents})
  --agent-hours N               hours each agent is signed in a day (default ${DEFAULT_PROFILE.agentHoursPerDay})
  --customer-heartbeat-seconds N  (default ${DEFAULT_ASSUMPTIONS.customerHeartbeatSeconds}, as session announces)
  --agent-heartbeat-seconds N     (default ${DEFAULT_ASSUMPTIONS.agentHeartbeatSeconds})
  --typing-per-message N        typing notices per chat message (default ${DEFAULT_ASSUMPTIONS.typingPerMessage}: the clients send one per 5 s of typing)
  --reads-per-message N         read marks per chat message (default ${DEFAULT_ASSUMPTIONS.readsPerMessage}: one per burst of the other side's messages)
  --redis-plan PLAN             payg, auto (default: the cheapest that fits) or an Upstash fixed plan: ${PRICE_TABLE.upstashFixedPlans.map((plan) => `'${plan.name}'`).join(', ')}
  --tracing on|off              active X-Ray tracing, as the \`tracing\` context value deploys it (default on)
  --log-bytes-per-invocation N  CloudWatch Logs bytes per Lambda invocation (default ${DEFAULT_ASSUMPTIONS.logBytesPerInvocation})
  --counts PATH                 bench counts (default ${DEFAULT_COUNTS_PATH} if present, else ${MEASURED_COUNTS_PATH})
  --write-measured              copy the counts to ${MEASURED_COUNTS_PATH} (after npm run bench)
  --json                        print the report as JSON`;

class UsageError extends Error {}

function positive(name: string, value: string | undefined, fallback: number, { allowZero = false } = {}): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0))
    throw new UsageError(`--${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, not '${value}'`);
  return n;
}

function onOff(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (value === 'on' || value === 'off') return value === 'on';
  throw new UsageError(`--${name} must be on or off, not '${value}'`);
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      'conversations-per-day': { type: 'string' },
      'messages-per-conversation': { type: 'string' },
      'connection-minutes': { type: 'string' },
      agents: { type: 'string' },
      'agent-hours': { type: 'string' },
      'customer-heartbeat-seconds': { type: 'string' },
      'agent-heartbeat-seconds': { type: 'string' },
      'typing-per-message': { type: 'string' },
      'reads-per-message': { type: 'string' },
      'redis-plan': { type: 'string' },
      tracing: { type: 'string' },
      'log-bytes-per-invocation': { type: 'string' },
      counts: { type: 'string' },
      'write-measured': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const profile: TrafficProfile = {
    conversationsPerDay: positive('conversations-per-day', values['conversations-per-day'], DEFAULT_PROFILE.conversationsPerDay, {
      allowZero: true,
    }),
    messagesPerConversation: positive(
      'messages-per-conversation',
      values['messages-per-conversation'],
      DEFAULT_PROFILE.messagesPerConversation,
      { allowZero: true },
    ),
    connectionMinutesPerConversation: positive(
      'connection-minutes',
      values['connection-minutes'],
      DEFAULT_PROFILE.connectionMinutesPerConversation,
      { allowZero: true },
    ),
    agents: positive('agents', values.agents, DEFAULT_PROFILE.agents, { allowZero: true }),
    agentHoursPerDay: positive('agent-hours', values['agent-hours'], DEFAULT_PROFILE.agentHoursPerDay, { allowZero: true }),
  };
  if (profile.agentHoursPerDay > 24) throw new UsageError('--agent-hours is per day: at most 24');
  const assumptions = {
    ...DEFAULT_ASSUMPTIONS,
    typingPerMessage: positive('typing-per-message', values['typing-per-message'], DEFAULT_ASSUMPTIONS.typingPerMessage, {
      allowZero: true,
    }),
    readsPerMessage: positive('reads-per-message', values['reads-per-message'], DEFAULT_ASSUMPTIONS.readsPerMessage, { allowZero: true }),
    redisPlan: values['redis-plan'] ?? DEFAULT_ASSUMPTIONS.redisPlan,
    tracing: onOff('tracing', values.tracing, DEFAULT_ASSUMPTIONS.tracing),
    logBytesPerInvocation: positive(
      'log-bytes-per-invocation',
      values['log-bytes-per-invocation'],
      DEFAULT_ASSUMPTIONS.logBytesPerInvocation,
      { allowZero: true },
    ),
    customerHeartbeatSeconds: positive(
      'customer-heartbeat-seconds',
      values['customer-heartbeat-seconds'],
      DEFAULT_ASSUMPTIONS.customerHeartbeatSeconds,
    ),
    agentHeartbeatSeconds: positive(
      'agent-heartbeat-seconds',
      values['agent-heartbeat-seconds'],
      DEFAULT_ASSUMPTIONS.agentHeartbeatSeconds,
    ),
  };

  let countsPath = values.counts ?? (existsSync(DEFAULT_COUNTS_PATH) ? DEFAULT_COUNTS_PATH : MEASURED_COUNTS_PATH);
  if (values['write-measured']) {
    const source = values.counts ?? DEFAULT_COUNTS_PATH;
    const counts: BenchCounts = await readBenchCounts(source);
    await writeFile(MEASURED_COUNTS_PATH, `${JSON.stringify(counts, null, 2)}\n`);
    console.error(`Wrote ${MEASURED_COUNTS_PATH} from ${source} (measured ${counts.measuredAt} at ${counts.commit})`);
    countsPath = MEASURED_COUNTS_PATH;
  }
  const counts = await readBenchCounts(countsPath);
  const report = costReport(counts, profile, PRICE_TABLE, assumptions);
  if (values.json)
    console.log(
      JSON.stringify(
        { counts: { path: countsPath, commit: counts.commit, measuredAt: counts.measuredAt }, prices: PRICE_TABLE, ...report },
        null,
        2,
      ),
    );
  else console.log(renderReport(report, { path: countsPath, counts, prices: PRICE_TABLE }));
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
    console.error(`${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (error instanceof BenchCountsError || error instanceof CostModelError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
