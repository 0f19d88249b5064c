/**
 * The cost model's arithmetic, free of I/O (unit-tested in test/unit/cost/model.test.ts):
 * requests per protocol action (measured by `npm run bench`) times how often a traffic
 * profile performs each action, priced by ONE price table (scripts/cost/prices.ts).
 */
import { CUSTOMER_HEARTBEAT_SECONDS } from '../../functions/domain/heartbeat';
import type { BenchCounts, StepRow } from './bench-counts';
import type { PriceTable } from './prices';

export const DAYS_PER_MONTH = 30;

/** What the deployment serves (the `npm run cost` flags). */
export interface TrafficProfile {
  readonly conversationsPerDay: number;
  /** Chat messages per conversation, both sides together (the first is the start's text). */
  readonly messagesPerConversation: number;
  /** How long a customer's widget stays connected per conversation. */
  readonly connectionMinutesPerConversation: number;
  readonly agents: number;
  /** Hours each agent is signed in (connected) a day. */
  readonly agentHoursPerDay: number;
}

export const DEFAULT_PROFILE: TrafficProfile = {
  conversationsPerDay: 10_000,
  messagesPerConversation: 20,
  connectionMinutesPerConversation: 15,
  agents: 50,
  agentHoursPerDay: 8,
};

/** What bench cannot measure, written down to be argued with (docs/cost.md). */
export interface Assumptions {
  /** As `session` announces them (functions/domain/heartbeat.ts; staff: HEARTBEAT_SECONDS 30). */
  readonly customerHeartbeatSeconds: number;
  readonly agentHeartbeatSeconds: number;
  /** Share of a conversation's messages the customer writes. */
  readonly customerMessageShare: number;
  /**
   * Typing notices and read marks per chat message (`--typing-per-message`, `--reads-per-message`).
   * The widget and console send a typing notice at most every 5 s while typing, and one read
   * mark after a burst of the other side's messages, none for their own (docs/cost.md).
   */
  readonly typingPerMessage: number;
  readonly readsPerMessage: number;
  /**
   * Upstash plan (`--redis-plan`): pay as you go (per command), a fixed plan by name, or
   * `auto`: the cheapest whose bandwidth cap fits the estimated traffic.
   */
  readonly redisPlan: string;
  /**
   * Search postings written per chat message (docs/search.md: ~8.3 words x 2 scopes; bench's
   * search part measures 16.66 for 9-word messages). The bench's chat steps send one-word texts,
   * so their events rows' posting writes are priced at this instead.
   */
  readonly searchPostingsPerMessage: number;
  /** Bytes on the wire per Redis command (REST request and reply; an EVAL sends its script): for a fixed plan's bandwidth cap. */
  readonly redisBytesPerCommand: number;
  /** Messages resent after a lost ack (answered from the idempotency record). */
  readonly resendShare: number;
  /** Conversations transferred once, and rated at the end. */
  readonly transferShare: number;
  readonly ratedShare: number;
  /** API Gateway closes a connection after 2 hours: a longer stay reconnects. */
  readonly connectionCapMinutes: number;
  /** Staff connections end with their 15-minute access tokens: about 4 (re)connects an hour. */
  readonly agentConnectsPerHour: number;
  readonly agentStatusChangesPerDay: number;
  /** Billed Lambda duration per invocation on AWS (not measured locally) and memory (lib/constructs/parley-function.ts). */
  readonly lambdaBilledMs: number;
  readonly lambdaMemoryGb: number;
  /** Index (GSI) writes per table write: dynalite does not report them, so this is an estimate. */
  readonly indexWritesPerWrite: number;
  /** Read and write units per request (items under 4 KB and 1 KB, strongly consistent). */
  readonly readUnitsPerRead: number;
  /** When the counts carry no command names: the share of DynamoDB requests that write. */
  readonly writeShareWithoutCommands: number;
  /** Each SQS send is also received and deleted by the event source mapping. */
  readonly sqsRequestsPerSend: number;
  /** CloudWatch Logs bytes: Lambda's START/END/REPORT lines (log level WARN), and one access-log line per API request. */
  readonly logBytesPerInvocation: number;
  readonly accessLogBytesPerRequest: number;
  /** Share of messages with an attachment, and its size (one upload, two downloads). */
  readonly attachmentShare: number;
  readonly attachmentBytes: number;
  /** Active X-Ray tracing, as deployed by default (the `tracing` context value; `--tracing off`). */
  readonly tracing: boolean;
  /**
   * X-Ray's default sampling rule, which Lambda's active tracing asks X-Ray to apply to every
   * invocation that arrives without a sampled trace header: the first request each second (a
   * reservoir X-Ray shares out across the account) and this share of the rest.
   */
  readonly xRayReservoirPerSecond: number;
  readonly xRayFixedRate: number;
}

export const DEFAULT_ASSUMPTIONS: Assumptions = {
  customerHeartbeatSeconds: CUSTOMER_HEARTBEAT_SECONDS,
  agentHeartbeatSeconds: 30,
  customerMessageShare: 0.5,
  // A chat line takes about 5-8 s to type: its first keystroke sends one notice, a longer one a
  // second; pasted or canned text one. Reads: about one per burst of the other side's messages
  // (bursts average ~1.3 messages), fewer when the reader is looking elsewhere.
  typingPerMessage: 1.5,
  readsPerMessage: 0.6,
  redisPlan: 'auto',
  searchPostingsPerMessage: 16.66,
  redisBytesPerCommand: 1500,
  resendShare: 0.01,
  transferShare: 0.05,
  ratedShare: 0.3,
  connectionCapMinutes: 120,
  agentConnectsPerHour: 4,
  agentStatusChangesPerDay: 2,
  lambdaBilledMs: 50,
  lambdaMemoryGb: 0.5,
  indexWritesPerWrite: 0.5,
  readUnitsPerRead: 1,
  writeShareWithoutCommands: 0.5,
  sqsRequestsPerSend: 3,
  logBytesPerInvocation: 600,
  accessLogBytesPerRequest: 400,
  attachmentShare: 0.02,
  attachmentBytes: 300_000,
  tracing: true,
  xRayReservoirPerSecond: 1,
  xRayFixedRate: 0.05,
};

/**
 * Functions an SQS message invokes (functions/routes.ts: the router, the events consumer, the
 * webhook deliveries): Lambda follows the sampling decision the message's trace header carries,
 * so they add no trace of their own (test/unit/cost/model.test.ts checks the names).
 */
export const QUEUE_TRIGGERED_FUNCTIONS: ReadonlySet<string> = new Set(['router', 'events', 'webhook-delivery']);

export const GROUPS = [
  'chat messages',
  'conversations',
  'customer connections',
  'customer heartbeats',
  'agents',
  'fixed monthly fees',
] as const;
export type Group = (typeof GROUPS)[number];

/** How often a bench step happens, per day, for a profile. */
interface Operation {
  readonly step: string;
  readonly group: Group;
  /** Client frames in (0 for $connect/$disconnect) and route-response replies out. */
  readonly inbound: 0 | 1;
  readonly reply: 0 | 1;
  /** Count only these functions' rows (a step can catch a late trigger of the one before). */
  readonly functions?: readonly string[];
  /** A chat message: its events row's search posting writes are priced at `searchPostingsPerMessage`. */
  readonly chatText?: boolean;
  perDay(profile: TrafficProfile, a: Assumptions): number;
}

const customerConnections = (p: TrafficProfile, a: Assumptions) =>
  p.conversationsPerDay * (1 + Math.floor(p.connectionMinutesPerConversation / a.connectionCapMinutes));
const agentConnections = (p: TrafficProfile, a: Assumptions) => p.agents * p.agentHoursPerDay * a.agentConnectsPerHour;

export const OPERATIONS: readonly Operation[] = [
  {
    step: 'message',
    group: 'chat messages',
    inbound: 1,
    reply: 1,
    chatText: true,
    perDay: (p, a) => p.conversationsPerDay * Math.max(0, p.messagesPerConversation * a.customerMessageShare - 1),
  },
  {
    step: 'message (agent reply)',
    group: 'chat messages',
    inbound: 1,
    reply: 1,
    chatText: true,
    perDay: (p, a) => p.conversationsPerDay * p.messagesPerConversation * (1 - a.customerMessageShare),
  },
  {
    step: 'message (resend, duplicate)',
    group: 'chat messages',
    inbound: 1,
    reply: 1,
    perDay: (p, a) => p.conversationsPerDay * p.messagesPerConversation * a.resendShare,
  },
  {
    step: 'typing',
    group: 'chat messages',
    inbound: 1,
    reply: 0,
    perDay: (p, a) => p.conversationsPerDay * p.messagesPerConversation * a.typingPerMessage,
  },
  {
    step: 'read',
    group: 'chat messages',
    inbound: 1,
    reply: 0,
    perDay: (p, a) => p.conversationsPerDay * p.messagesPerConversation * a.readsPerMessage,
  },
  { step: 'start with text (+ routing)', group: 'conversations', inbound: 1, reply: 1, perDay: (p) => p.conversationsPerDay },
  { step: 'close (+ routing)', group: 'conversations', inbound: 1, reply: 1, perDay: (p) => p.conversationsPerDay },
  { step: 'rate', group: 'conversations', inbound: 1, reply: 1, perDay: (p, a) => p.conversationsPerDay * a.ratedShare },
  {
    step: 'transfer to skill (+ routing)',
    group: 'conversations',
    inbound: 1,
    reply: 1,
    perDay: (p, a) => p.conversationsPerDay * a.transferShare,
  },
  { step: '$connect (customer)', group: 'customer connections', inbound: 0, reply: 0, perDay: customerConnections },
  // Two syncs a connection: on connect, and the recheck `session.recheckSeconds` later
  // (docs/delivery.md), which usually finds nothing after the cursor the first one reached.
  {
    step: 'sync (1 conversation, 3 messages)',
    group: 'customer connections',
    inbound: 1,
    reply: 1,
    perDay: customerConnections,
  },
  {
    step: 'sync (recheck, nothing new)',
    group: 'customer connections',
    inbound: 1,
    reply: 1,
    perDay: customerConnections,
  },
  { step: '$disconnect', group: 'customer connections', inbound: 0, reply: 0, perDay: customerConnections },
  {
    step: 'heartbeat (customer)',
    group: 'customer heartbeats',
    inbound: 1,
    reply: 1,
    functions: ['heartbeat'],
    perDay: (p, a) => (p.conversationsPerDay * p.connectionMinutesPerConversation * 60) / a.customerHeartbeatSeconds,
  },
  {
    step: 'heartbeat (agent)',
    group: 'agents',
    inbound: 1,
    reply: 1,
    functions: ['heartbeat'],
    perDay: (p, a) => (p.agents * p.agentHoursPerDay * 3600) / a.agentHeartbeatSeconds,
  },
  { step: '$connect (agent)', group: 'agents', inbound: 0, reply: 0, perDay: agentConnections },
  { step: 'sync (no conversations)', group: 'agents', inbound: 1, reply: 1, perDay: (p, a) => 2 * agentConnections(p, a) },
  {
    step: '$disconnect',
    group: 'agents',
    inbound: 0,
    reply: 0,
    perDay: agentConnections,
  },
  { step: 'status online', group: 'agents', inbound: 1, reply: 1, perDay: (p, a) => p.agents * a.agentStatusChangesPerDay },
];

/** Billable quantities, per day. */
export interface Usage {
  webSocketMessages: number;
  connectionMinutes: number;
  httpRequests: number;
  lambdaRequests: number;
  /** Lambda invocations that start a trace of their own (not QUEUE_TRIGGERED_FUNCTIONS'). */
  rootInvocations: number;
  lambdaGbSeconds: number;
  dynamodbReadUnits: number;
  /** Write units, index writes included. */
  dynamodbWriteUnits: number;
  /** The part of dynamodbWriteUnits that writes index entries (measured or estimated). */
  dynamodbIndexWriteUnits: number;
  sqsRequests: number;
  redisCommands: number;
  logBytes: number;
  s3Puts: number;
  s3Gets: number;
  s3GbMonths: number;
  /** X-Ray traces recorded: set for a month's usage (sampling is not linear in traffic), 0 per step. */
  xRayTraces: number;
}

const emptyUsage = (): Usage => ({
  webSocketMessages: 0,
  connectionMinutes: 0,
  httpRequests: 0,
  lambdaRequests: 0,
  rootInvocations: 0,
  lambdaGbSeconds: 0,
  dynamodbReadUnits: 0,
  dynamodbWriteUnits: 0,
  dynamodbIndexWriteUnits: 0,
  sqsRequests: 0,
  redisCommands: 0,
  logBytes: 0,
  s3Puts: 0,
  s3Gets: 0,
  s3GbMonths: 0,
  xRayTraces: 0,
});

function addUsage(into: Usage, from: Usage, times = 1): void {
  for (const key of Object.keys(into) as (keyof Usage)[]) into[key] += from[key] * times;
}

export class CostModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CostModelError';
  }
}

const READ_COMMAND = /^(Get|BatchGet|Query|Scan|TransactGet)/;
/** bench's per-batch item counts (scripts/bench/request-counter.ts). */
const ITEMS_SUFFIX = ':items';
const WRITE_COMMAND = /^(Put|Update|Delete|BatchWrite|TransactWrite)/;

/**
 * A step row's DynamoDB read and write units. Writes are priced by what bench metered
 * (`capacity`: the table's units and the index entries', scripts/bench/write-capacity.ts) when
 * the counts carry it; otherwise estimated: one unit per write (per item, for batches) plus
 * `indexWritesPerWrite`, none for BatchWriteItem's items (search postings, erasure deletes:
 * the postings dominate and carry no index keys). `indexWriteUnits`: the index part of `writeUnits`.
 */
function dynamodbUnits(row: StepRow, a: Assumptions, chatText = false): { readUnits: number; writeUnits: number; indexWriteUnits: number } {
  const commands = row.commands.dynamodb;
  if (!commands || Object.keys(commands).length === 0) {
    const writes = row.counts.dynamodb * a.writeShareWithoutCommands;
    const indexWriteUnits = writes * a.indexWritesPerWrite;
    return { readUnits: (row.counts.dynamodb - writes) * a.readUnitsPerRead, writeUnits: writes + indexWriteUnits, indexWriteUnits };
  }
  let reads = 0;
  let writeUnits = 0;
  let indexWriteUnits = 0;
  for (const [command, requests] of Object.entries(commands)) {
    if (command.endsWith(ITEMS_SUFFIX)) continue;
    // A batch is billed per item (bench counts them as `<command>:items`); older counts have requests only.
    const n = commands[`${command}${ITEMS_SUFFIX}`] ?? requests;
    if (READ_COMMAND.test(command)) {
      reads += n;
      continue;
    }
    if (!WRITE_COMMAND.test(command)) throw new CostModelError(`Unknown DynamoDB command ${command}: add it to the read or write pattern`);
    const metered = row.capacity?.[command];
    if (chatText && row.function === 'events' && command === 'BatchWriteItemCommand') {
      // The bench's one-word chat texts: postings priced at a real message's count, one unit each.
      writeUnits += a.searchPostingsPerMessage;
    } else if (metered) {
      writeUnits += metered.writeUnits + metered.indexWriteUnits;
      indexWriteUnits += metered.indexWriteUnits;
    } else if (command.startsWith('BatchWrite')) {
      writeUnits += n;
    } else {
      writeUnits += n * (1 + a.indexWritesPerWrite);
      indexWriteUnits += n * a.indexWritesPerWrite;
    }
  }
  return { readUnits: reads * a.readUnitsPerRead, writeUnits, indexWriteUnits };
}

/** What one occurrence of a bench step uses (one Lambda invocation per function row). */
export function stepUsage(
  rows: readonly StepRow[],
  op: Pick<Operation, 'inbound' | 'reply' | 'functions' | 'chatText'>,
  a: Assumptions,
): Usage {
  const usage = emptyUsage();
  const counted = op.functions ? rows.filter((row) => op.functions?.includes(row.function)) : rows;
  for (const row of counted) {
    const units = dynamodbUnits(row, a, op.chatText);
    usage.lambdaRequests += 1;
    if (!QUEUE_TRIGGERED_FUNCTIONS.has(row.function)) usage.rootInvocations += 1;
    usage.dynamodbReadUnits += units.readUnits;
    usage.dynamodbWriteUnits += units.writeUnits;
    usage.dynamodbIndexWriteUnits += units.indexWriteUnits;
    usage.sqsRequests += row.counts.sqs * a.sqsRequestsPerSend;
    usage.redisCommands += row.counts.redis;
    // Pushes are messages; management-API reads and deletes (GetConnection, DeleteConnection) are not.
    const management = row.commands.managementApi;
    usage.webSocketMessages += management ? (management.PostToConnectionCommand ?? 0) : row.counts.managementApi;
  }
  usage.webSocketMessages += op.inbound + op.reply;
  usage.lambdaGbSeconds = usage.lambdaRequests * (a.lambdaBilledMs / 1000) * a.lambdaMemoryGb;
  usage.logBytes = usage.lambdaRequests * a.logBytesPerInvocation + op.inbound * a.accessLogBytesPerRequest;
  return usage;
}

/** Each service's dollars for a usage. */
export function priceUsage(usage: Usage, prices: PriceTable): Record<string, number> {
  const perMillion = (n: number, price: number) => (n / 1_000_000) * price;
  return {
    'API Gateway WebSocket':
      perMillion(usage.webSocketMessages, prices.webSocketPerMillionMessages) +
      perMillion(usage.connectionMinutes, prices.webSocketPerMillionConnectionMinutes),
    'API Gateway HTTP': perMillion(usage.httpRequests, prices.httpApiPerMillionRequests),
    Lambda: perMillion(usage.lambdaRequests, prices.lambdaPerMillionRequests) + usage.lambdaGbSeconds * prices.lambdaArmPerGbSecond,
    DynamoDB:
      perMillion(usage.dynamodbReadUnits, prices.dynamodbPerMillionReadUnits) +
      perMillion(usage.dynamodbWriteUnits, prices.dynamodbPerMillionWriteUnits),
    SQS: perMillion(usage.sqsRequests, prices.sqsPerMillionRequests),
    'Upstash Redis': perMillion(usage.redisCommands, prices.upstashPerMillionCommands),
    'CloudWatch Logs': (usage.logBytes / 1e9) * prices.cloudWatchLogsPerGbIngested,
    'X-Ray': perMillion(usage.xRayTraces, prices.xRayPerMillionTracesRecorded),
    S3:
      (usage.s3Puts / 1000) * prices.s3PerThousandPuts +
      (usage.s3Gets / 1000) * prices.s3PerThousandGets +
      usage.s3GbMonths * prices.s3PerGbMonth,
  };
}

const sum = (values: Record<string, number>) => Object.values(values).reduce((total, value) => total + value, 0);

export interface CostReport {
  readonly profile: TrafficProfile;
  readonly assumptions: Assumptions;
  readonly chatMessagesPerMonth: number;
  /** Billable quantities per month. */
  readonly usage: Usage;
  readonly perMonth: number;
  readonly perMillionMessages: number;
  readonly byService: Record<string, number>;
  readonly byGroup: Record<Group, number>;
  /** Each priced bench step: how often a month, and dollars per occurrence (all services). */
  readonly bySteps: readonly { readonly step: string; readonly group: Group; readonly perMonth: number; readonly each: number }[];
  /**
   * What answering customer heartbeats without a Lambda (a MOCK integration) would save per
   * month: their Lambda, Redis, DynamoDB and log costs; the two WebSocket messages stay.
   */
  readonly mockHeartbeatSavingPerMonth: number;
  /** The Upstash plan priced, what pay as you go would cost, and the estimated bandwidth. */
  readonly redis: { readonly plan: string; readonly perMonth: number; readonly payAsYouGoPerMonth: number; readonly bandwidthGb: number };
  /**
   * What the WebSocket frames alone cost per 1M chat messages (the floor under any design with
   * a Lambda behind API Gateway): a message's own frames (in, ack, pushes), and with the
   * profile's typing notices and read marks.
   */
  readonly floor: { readonly messageFramesPerMillion: number; readonly chatFramesPerMillion: number };
  /**
   * Whether bench metered the steps' DynamoDB write units, index writes included (counts with
   * `capacity`); if not, both are estimated (one unit per write plus `indexWritesPerWrite`).
   */
  readonly writeUnitsMetered: boolean;
  /** X-Ray: traces recorded a month, from how many root invocations, and their price. */
  readonly xRay: { readonly traces: number; readonly rootInvocations: number; readonly perMonth: number };
}

/** The cost of a profile per month and per million chat messages. */
export function costReport(
  counts: BenchCounts,
  profile: TrafficProfile,
  prices: PriceTable,
  a: Assumptions = DEFAULT_ASSUMPTIONS,
): CostReport {
  const byStep = new Map<string, StepRow[]>();
  for (const row of counts.steps) byStep.set(row.step, [...(byStep.get(row.step) ?? []), row]);
  const missing = [...new Set(OPERATIONS.map((op) => op.step).filter((step) => !byStep.has(step)))];
  if (missing.length > 0)
    throw new CostModelError(`The counts have no bench step ${missing.map((s) => `'${s}'`).join(', ')}: re-run npm run bench`);

  const monthly = emptyUsage();
  const byService: Record<string, number> = {};
  const byGroup = Object.fromEntries(GROUPS.map((group) => [group, 0])) as Record<Group, number>;
  const redisByGroup: Partial<Record<Group, number>> = {};
  const rootsByGroup: Partial<Record<Group, number>> = {};
  const add = (usage: Usage, times: number, group: Group) => {
    addUsage(monthly, usage, times);
    rootsByGroup[group] = (rootsByGroup[group] ?? 0) + usage.rootInvocations * times;
    const dollars = priceUsage(usage, prices);
    redisByGroup[group] = (redisByGroup[group] ?? 0) + (dollars['Upstash Redis'] ?? 0) * times;
    for (const [service, value] of Object.entries(dollars)) byService[service] = (byService[service] ?? 0) + value * times;
    byGroup[group] += sum(dollars) * times;
  };
  let mockHeartbeatSavingPerMonth = 0;
  let heartbeatRedisPerMonth = 0;
  const bySteps: { step: string; group: Group; perMonth: number; each: number; redisEach: number }[] = [];
  for (const op of OPERATIONS) {
    const times = op.perDay(profile, a) * DAYS_PER_MONTH;
    const usage = stepUsage(byStep.get(op.step) ?? [], op, a);
    add(usage, times, op.group);
    const priced = priceUsage(usage, prices);
    bySteps.push({ step: op.step, group: op.group, perMonth: times, each: sum(priced), redisEach: priced['Upstash Redis'] ?? 0 });
    if (op.step === 'heartbeat (customer)') {
      mockHeartbeatSavingPerMonth =
        (sum(priceUsage(usage, prices)) -
          priceUsage({ ...emptyUsage(), webSocketMessages: usage.webSocketMessages }, prices)['API Gateway WebSocket']!) *
        times;
      heartbeatRedisPerMonth = (priceUsage(usage, prices)['Upstash Redis'] ?? 0) * times;
    }
  }
  // Connection minutes: customers while in a conversation, agents while signed in.
  add(
    { ...emptyUsage(), connectionMinutes: 1 },
    profile.conversationsPerDay * profile.connectionMinutesPerConversation * DAYS_PER_MONTH,
    'customer connections',
  );
  add({ ...emptyUsage(), connectionMinutes: 1 }, profile.agents * profile.agentHoursPerDay * 60 * DAYS_PER_MONTH, 'agents');
  // HTTP: a guest token per conversation (one Lambda, its per-IP limit in Redis) and staff token refreshes.
  const http = (redisCommands: number, reads: number, writes: number): Usage => ({
    ...emptyUsage(),
    httpRequests: 1,
    lambdaRequests: 1,
    rootInvocations: 1,
    lambdaGbSeconds: (a.lambdaBilledMs / 1000) * a.lambdaMemoryGb,
    redisCommands,
    dynamodbReadUnits: reads * a.readUnitsPerRead,
    dynamodbWriteUnits: writes * (1 + a.indexWritesPerWrite),
    dynamodbIndexWriteUnits: writes * a.indexWritesPerWrite,
    logBytes: a.logBytesPerInvocation + a.accessLogBytesPerRequest,
  });
  add(http(1, 0, 0), profile.conversationsPerDay * DAYS_PER_MONTH, 'conversations');
  add(http(1, 1, 1), profile.agents * profile.agentHoursPerDay * a.agentConnectsPerHour * DAYS_PER_MONTH, 'agents');
  // Attachments: an upload grant (HTTP + Lambda), the PUT, two downloads, a month of storage.
  const attachments = profile.conversationsPerDay * profile.messagesPerConversation * a.attachmentShare * DAYS_PER_MONTH;
  add({ ...http(1, 1, 0), s3Puts: 1, s3Gets: 2, s3GbMonths: a.attachmentBytes / 1e9 }, attachments, 'chat messages');

  // X-Ray: the traces a month's root invocations start, shared out to the groups by their roots.
  const xRay = xRayTracesPerMonth(monthly.rootInvocations, a);
  monthly.xRayTraces = xRay;
  const xRayPerMonth = priceUsage({ ...emptyUsage(), xRayTraces: xRay }, prices)['X-Ray'] ?? 0;
  byService['X-Ray'] = xRayPerMonth;
  if (monthly.rootInvocations > 0)
    for (const group of GROUPS) byGroup[group] += (xRayPerMonth * (rootsByGroup[group] ?? 0)) / monthly.rootInvocations;

  // Upstash: pay as you go was priced per command above; a fixed plan replaces it with its fee.
  const payAsYouGoPerMonth = byService['Upstash Redis'] ?? 0;
  const bandwidthGb = (monthly.redisCommands * a.redisBytesPerCommand) / 1e9;
  const redis = chooseRedisPlan(a.redisPlan, payAsYouGoPerMonth, bandwidthGb, prices);
  if (redis.plan !== PAY_AS_YOU_GO) {
    // Commands are not billed on a fixed plan: take their dollars back out of each group and step.
    for (const group of GROUPS) byGroup[group] -= redisByGroup[group] ?? 0;
    for (const row of bySteps) row.each -= row.redisEach;
    mockHeartbeatSavingPerMonth -= heartbeatRedisPerMonth;
    byService['Upstash Redis'] = redis.perMonth;
    byGroup['fixed monthly fees'] += redis.perMonth;
  }

  const chatMessagesPerMonth = profile.conversationsPerDay * profile.messagesPerConversation * DAYS_PER_MONTH;
  const perMonth = sum(byService);
  const chatFrames = OPERATIONS.filter((op) => op.group === 'chat messages').reduce(
    (total, op) => total + stepUsage(byStep.get(op.step) ?? [], op, a).webSocketMessages * op.perDay(profile, a) * DAYS_PER_MONTH,
    0,
  );
  const messageOps = OPERATIONS.filter((op) => op.step === 'message' || op.step === 'message (agent reply)');
  const messageFrames = messageOps.reduce(
    (total, op) => total + stepUsage(byStep.get(op.step) ?? [], op, a).webSocketMessages * op.perDay(profile, a) * DAYS_PER_MONTH,
    0,
  );
  const messageCount = messageOps.reduce((total, op) => total + op.perDay(profile, a) * DAYS_PER_MONTH, 0);
  const framePrice = prices.webSocketPerMillionMessages / 1e6;
  return {
    profile,
    assumptions: a,
    chatMessagesPerMonth,
    usage: monthly,
    perMonth,
    perMillionMessages: chatMessagesPerMonth > 0 ? (perMonth / chatMessagesPerMonth) * 1_000_000 : 0,
    byService,
    byGroup,
    bySteps: bySteps.map(({ redisEach: _, ...row }) => row),
    mockHeartbeatSavingPerMonth,
    redis: { plan: redis.plan, perMonth: redis.perMonth, payAsYouGoPerMonth, bandwidthGb },
    writeUnitsMetered: counts.steps.some((row) => row.capacity !== undefined),
    xRay: { traces: xRay, rootInvocations: monthly.rootInvocations, perMonth: xRayPerMonth },
    floor: {
      messageFramesPerMillion: messageCount > 0 ? (messageFrames / messageCount) * framePrice * 1e6 : 0,
      chatFramesPerMillion: chatMessagesPerMonth > 0 ? (chatFrames / chatMessagesPerMonth) * framePrice * 1e6 : 0,
    },
  };
}

/**
 * Traces X-Ray records in a month for `rootInvocations` spread evenly over it: the reservoir's
 * one a second while requests come at least that fast, and the fixed rate of the rest. Traffic
 * bunched into business hours fills the reservoir in fewer seconds, so this is the upper end.
 */
export function xRayTracesPerMonth(rootInvocations: number, a: Assumptions): number {
  if (!a.tracing) return 0;
  const seconds = DAYS_PER_MONTH * 24 * 3600;
  const reservoir = Math.min(rootInvocations, seconds * a.xRayReservoirPerSecond);
  return reservoir + (rootInvocations - reservoir) * a.xRayFixedRate;
}

export const PAY_AS_YOU_GO = 'pay as you go';

/**
 * The Upstash plan to price: `payg`, a fixed plan by name (e.g. `Fixed 250MB`), or `auto`: the
 * cheapest of pay as you go and the fixed plans whose bandwidth cap is known and fits.
 */
export function chooseRedisPlan(
  choice: string,
  payAsYouGoPerMonth: number,
  bandwidthGb: number,
  prices: PriceTable,
): { plan: string; perMonth: number } {
  const payg = { plan: PAY_AS_YOU_GO, perMonth: payAsYouGoPerMonth };
  if (choice === 'payg') return payg;
  if (choice !== 'auto') {
    const named = prices.upstashFixedPlans.find((plan) => plan.name.toLowerCase() === choice.toLowerCase());
    if (!named)
      throw new CostModelError(
        `Unknown Upstash plan '${choice}': payg, auto or one of ${prices.upstashFixedPlans.map((plan) => `'${plan.name}'`).join(', ')}`,
      );
    return { plan: named.name, perMonth: named.perMonth };
  }
  const fitting = prices.upstashFixedPlans.filter((plan) => plan.bandwidthGb !== undefined && bandwidthGb <= plan.bandwidthGb);
  return fitting.reduce((best, plan) => (plan.perMonth < best.perMonth ? { plan: plan.name, perMonth: plan.perMonth } : best), payg);
}
