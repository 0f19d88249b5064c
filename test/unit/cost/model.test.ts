import { describe, expect, it } from 'vitest';
import { type BenchCounts, parseBenchCounts, type StepRow } from '../../../scripts/cost/bench-counts';
import {
  type Assumptions,
  chooseRedisPlan,
  CostModelError,
  costReport,
  DAYS_PER_MONTH,
  DEFAULT_ASSUMPTIONS,
  OPERATIONS,
  PAY_AS_YOU_GO,
  priceUsage,
  QUEUE_TRIGGERED_FUNCTIONS,
  stepUsage,
  type TrafficProfile,
  xRayTracesPerMonth,
} from '../../../scripts/cost/model';
import { allFunctions } from '../../../functions/routes';
import { PRICE_TABLE, type PriceTable } from '../../../scripts/cost/prices';

const zero = { dynamodb: 0, sqs: 0, managementApi: 0, redis: 0 };
/** Every step the model prices, each one function row that makes nothing but its invocation. */
function emptyCounts(): BenchCounts {
  const steps = [...new Set(OPERATIONS.map((op) => op.step))].map((step) => ({
    step,
    function: step.startsWith('heartbeat') ? 'heartbeat' : 'fn',
    counts: { ...zero },
    commands: {},
  }));
  return { schema: 1, measuredAt: '2026-12-01T00:00:00.000Z', commit: 'abc', steps };
}

/** A price table where only one line costs anything. */
function only(line: keyof Omit<PriceTable, 'region' | 'checked' | 'sources'>, price = 1): PriceTable {
  const zeroed = Object.fromEntries(Object.entries(PRICE_TABLE).map(([key, value]) => [key, typeof value === 'number' ? 0 : value]));
  return { ...(zeroed as unknown as PriceTable), [line]: price };
}

const NOTHING: Assumptions = {
  ...DEFAULT_ASSUMPTIONS,
  typingPerMessage: 0,
  readsPerMessage: 0,
  resendShare: 0,
  transferShare: 0,
  ratedShare: 0,
  attachmentShare: 0,
  indexWritesPerWrite: 0,
};
const PROFILE: TrafficProfile = {
  conversationsPerDay: 1000,
  messagesPerConversation: 10,
  connectionMinutesPerConversation: 10,
  agents: 0,
  agentHoursPerDay: 0,
};

describe('cost model arithmetic', () => {
  it('prices one step: DynamoDB reads and writes by command, index writes, SQS round trips, pushes but not connection reads', () => {
    const usage = stepUsage(
      [
        {
          step: 'message',
          function: 'message',
          counts: { dynamodb: 4, sqs: 1, managementApi: 3, redis: 2 },
          commands: {
            dynamodb: { GetItemCommand: 1, QueryCommand: 1, PutItemCommand: 1, UpdateItemCommand: 1 },
            managementApi: { PostToConnectionCommand: 2, GetConnectionCommand: 1 },
          },
        },
        { step: 'message', function: 'events', counts: { ...zero, dynamodb: 2 }, commands: { dynamodb: { BatchWriteItemCommand: 2 } } },
      ],
      { inbound: 1, reply: 1 },
      { ...DEFAULT_ASSUMPTIONS, indexWritesPerWrite: 0.5, sqsRequestsPerSend: 3, lambdaBilledMs: 100, lambdaMemoryGb: 0.5 },
    );
    expect(usage.lambdaRequests).toBe(2);
    expect(usage.lambdaGbSeconds).toBeCloseTo(2 * 0.1 * 0.5);
    expect(usage.dynamodbReadUnits).toBe(2);
    // Put and Update with their index writes; the batch's items (search postings) have none.
    expect(usage.dynamodbWriteUnits).toBe(2 * 1.5 + 2);
    expect(usage.sqsRequests).toBe(3);
    expect(usage.redisCommands).toBe(2);
    // 1 in, 1 reply, 2 pushes; GetConnection is not a message.
    expect(usage.webSocketMessages).toBe(4);
  });

  it('bills a batch per item, and a chat message’s search postings at the assumed rate (bench sends one-word texts)', () => {
    const rows = [
      {
        step: 'message',
        function: 'events',
        counts: { ...zero, dynamodb: 2 },
        commands: {
          dynamodb: { BatchWriteItemCommand: 1, 'BatchWriteItemCommand:items': 7, BatchGetItemCommand: 1, 'BatchGetItemCommand:items': 3 },
        },
      },
    ];
    const a = { ...DEFAULT_ASSUMPTIONS, indexWritesPerWrite: 0.5, readUnitsPerRead: 1, searchPostingsPerMessage: 16 };
    const counted = stepUsage(rows, { inbound: 0, reply: 0 }, a);
    expect(counted.dynamodbReadUnits).toBe(3);
    expect(counted.dynamodbWriteUnits).toBe(7);
    expect(stepUsage(rows, { inbound: 0, reply: 0, chatText: true }, a).dynamodbWriteUnits).toBe(16);
  });

  it('prices writes by the capacity bench metered, index writes included, and estimates the commands it did not meter', () => {
    const rows: StepRow[] = [
      {
        step: 'start with text (+ routing)',
        function: 'router',
        counts: { ...zero, dynamodb: 3 },
        commands: { dynamodb: { QueryCommand: 1, UpdateItemCommand: 1, DeleteItemCommand: 1 } },
        capacity: { UpdateItemCommand: { writeUnits: 1, indexWriteUnits: 4 } },
      },
      {
        step: 'start with text (+ routing)',
        function: 'events',
        counts: { ...zero, dynamodb: 1 },
        commands: { dynamodb: { BatchWriteItemCommand: 1, 'BatchWriteItemCommand:items': 3 } },
        capacity: { BatchWriteItemCommand: { writeUnits: 3, indexWriteUnits: 0 } },
      },
    ];
    const a = { ...DEFAULT_ASSUMPTIONS, indexWritesPerWrite: 0.5, readUnitsPerRead: 1, searchPostingsPerMessage: 16 };
    const usage = stepUsage(rows, { inbound: 0, reply: 0 }, a);
    // Update: 1 + 4 metered; Delete: unmetered, 1 + 0.5; the batch: 3 metered.
    expect(usage.dynamodbWriteUnits).toBe(5 + 1.5 + 3);
    expect(usage.dynamodbIndexWriteUnits).toBe(4 + 0.5);
    expect(usage.dynamodbReadUnits).toBe(1);
    // A chat text's postings stay priced at the assumed rate, whatever bench's one-word text metered.
    expect(stepUsage(rows, { inbound: 0, reply: 0, chatText: true }, a).dynamodbWriteUnits).toBe(5 + 1.5 + 16);
  });

  it('X-Ray records the reservoir a second, then the fixed rate; nothing with tracing off', () => {
    const month = DAYS_PER_MONTH * 24 * 3600;
    const a = { ...DEFAULT_ASSUMPTIONS, xRayReservoirPerSecond: 1, xRayFixedRate: 0.05 };
    expect(xRayTracesPerMonth(month / 2, a)).toBe(month / 2);
    expect(xRayTracesPerMonth(month * 11, a)).toBeCloseTo(month + 0.05 * month * 10);
    expect(xRayTracesPerMonth(month * 11, { ...a, tracing: false })).toBe(0);
  });

  it('prices X-Ray for the invocations that start a trace, not those an SQS message triggers', () => {
    const counts = emptyCounts();
    counts.steps.push({ step: 'message', function: 'events', counts: { ...zero }, commands: {} });
    counts.steps.push({ step: 'message', function: 'router', counts: { ...zero }, commands: {} });
    const prices = only('xRayPerMillionTracesRecorded', 5);
    const a = { ...NOTHING, xRayReservoirPerSecond: 0, xRayFixedRate: 1 };
    const traced = costReport(counts, PROFILE, prices, a);
    const plain = costReport(counts, PROFILE, only('xRayPerMillionTracesRecorded', 5), { ...a, tracing: false });
    // Every root invocation traced: the same as Lambda invocations less the events and router rows.
    const queueTriggered = PROFILE.conversationsPerDay * (PROFILE.messagesPerConversation * 0.5 - 1) * DAYS_PER_MONTH * 2;
    expect(traced.xRay.rootInvocations).toBeCloseTo(traced.usage.lambdaRequests - queueTriggered);
    expect(traced.xRay.traces).toBeCloseTo(traced.xRay.rootInvocations);
    expect(traced.byService['X-Ray']).toBeCloseTo((traced.xRay.traces / 1e6) * 5);
    expect(traced.perMonth).toBeCloseTo(traced.byService['X-Ray']!);
    expect(Object.values(traced.byGroup).reduce((sum, value) => sum + value, 0)).toBeCloseTo(traced.perMonth);
    expect(plain.perMonth).toBe(0);
  });

  it('names the functions routes.ts deploys behind Parley’s own queues (their handlers in functions/handlers/queue)', () => {
    const queueHandlers = allFunctions().filter((fn) => fn.entry.startsWith('functions/handlers/queue/'));
    expect([...QUEUE_TRIGGERED_FUNCTIONS].sort()).toEqual(queueHandlers.map((fn) => fn.name).sort());
  });

  it('reports whether the write units were metered', () => {
    const counts = emptyCounts();
    expect(costReport(counts, PROFILE, PRICE_TABLE, NOTHING).writeUnitsMetered).toBe(false);
    counts.steps[0] = { ...counts.steps[0]!, capacity: { PutItemCommand: { writeUnits: 1, indexWriteUnits: 0 } } };
    expect(costReport(counts, PROFILE, PRICE_TABLE, NOTHING).writeUnitsMetered).toBe(true);
  });

  it('prices Upstash pay as you go or a fixed plan: auto takes the cheapest whose bandwidth fits, a named plan is taken as is', () => {
    const prices: PriceTable = {
      ...only('upstashPerMillionCommands', 2),
      upstashFixedPlans: [
        { name: 'Small', perMonth: 10, dataMb: 250, bandwidthGb: 50 },
        { name: 'Unknown cap', perMonth: 1, dataMb: 1024 },
      ],
    };
    expect(chooseRedisPlan('auto', 57, 40, prices)).toEqual({ plan: 'Small', perMonth: 10 });
    expect(chooseRedisPlan('auto', 57, 60, prices)).toEqual({ plan: PAY_AS_YOU_GO, perMonth: 57 });
    expect(chooseRedisPlan('auto', 5, 40, prices)).toEqual({ plan: PAY_AS_YOU_GO, perMonth: 5 });
    expect(chooseRedisPlan('payg', 57, 40, prices)).toEqual({ plan: PAY_AS_YOU_GO, perMonth: 57 });
    expect(chooseRedisPlan('unknown cap', 57, 400, prices)).toEqual({ plan: 'Unknown cap', perMonth: 1 });
    expect(() => chooseRedisPlan('huge', 57, 40, prices)).toThrow(CostModelError);

    // On a fixed plan commands cost nothing per step; the fee is its own line.
    const counts = emptyCounts();
    for (const row of counts.steps) row.counts.redis = 1;
    const fixed = costReport(counts, PROFILE, prices, { ...NOTHING, redisPlan: 'Small' });
    expect(fixed.byService['Upstash Redis']).toBe(10);
    expect(fixed.byGroup['fixed monthly fees']).toBe(10);
    expect(fixed.bySteps.every((row) => row.each === 0)).toBe(true);
    const payg = costReport(counts, PROFILE, prices, { ...NOTHING, redisPlan: 'payg' });
    expect(payg.redis.payAsYouGoPerMonth).toBeCloseTo(payg.byService['Upstash Redis']!);
    expect(payg.bySteps.find((row) => row.step === 'message')?.each).toBeCloseTo(2 / 1e6);
  });

  it('prints the floor: the WebSocket frames of a chat message, and with its typing notices and read marks', () => {
    const counts = emptyCounts();
    for (const row of counts.steps) if (row.step === 'typing' || row.step.startsWith('message')) row.counts.managementApi = 1;
    const report = costReport(counts, PROFILE, only('webSocketPerMillionMessages', 1), {
      ...NOTHING,
      typingPerMessage: 2,
      readsPerMessage: 1,
    });
    // A message: in, ack, one push = 3 frames. Per chat message: 9 of 10 are `message` actions (the
    // first is the start's text, priced with the conversation); typing in + push = 2 frames, twice;
    // a read's frame in (no push counted here).
    expect(report.floor.messageFramesPerMillion).toBeCloseTo(3);
    expect(report.floor.chatFramesPerMillion).toBeCloseTo(0.9 * 3 + 2 * 2 + 1);
  });

  it('splits DynamoDB requests by the assumed share when the counts carry no command names, and refuses unknown commands', () => {
    const row = { step: 's', function: 'f', counts: { ...zero, dynamodb: 10 }, commands: {} };
    const usage = stepUsage([row], { inbound: 0, reply: 0 }, { ...NOTHING, writeShareWithoutCommands: 0.3 });
    expect(usage.dynamodbWriteUnits).toBeCloseTo(3);
    expect(usage.dynamodbReadUnits).toBeCloseTo(7);
    expect(() =>
      stepUsage([{ ...row, commands: { dynamodb: { ExecuteStatementCommand: 1 } } }], { inbound: 0, reply: 0 }, NOTHING),
    ).toThrow(CostModelError);
  });

  it('counts only the named functions of a step (a late trigger of the previous step is not the heartbeat’s)', () => {
    const rows = [
      { step: 'heartbeat (agent)', function: 'heartbeat', counts: { ...zero, redis: 2 }, commands: {} },
      { step: 'heartbeat (agent)', function: 'router', counts: { ...zero, dynamodb: 3 }, commands: {} },
    ];
    const usage = stepUsage(rows, { inbound: 1, reply: 1, functions: ['heartbeat'] }, NOTHING);
    expect(usage.lambdaRequests).toBe(1);
    expect(usage.dynamodbReadUnits + usage.dynamodbWriteUnits).toBe(0);
  });

  it('turns a profile into WebSocket messages: every chat message is a frame in and its ack out, heartbeats a frame each way', () => {
    const report = costReport(emptyCounts(), PROFILE, only('webSocketPerMillionMessages', 1_000_000), NOTHING);
    const perDay =
      // start (1 in, 1 reply), 4 more customer messages and 5 agent replies (in + ack), close (in + reply)
      2 +
      4 * 2 +
      5 * 2 +
      2 +
      // one connection: sync on connect and its recheck (in + synced each)
      2 * 2 +
      // heartbeats: 10 minutes at 300 s = 2, a frame each way
      2 * 2;
    expect(report.usage.webSocketMessages).toBeCloseTo(1000 * perDay * DAYS_PER_MONTH);
    expect(report.perMonth).toBeCloseTo(1000 * perDay * DAYS_PER_MONTH);
    expect(report.chatMessagesPerMonth).toBe(1000 * 10 * DAYS_PER_MONTH);
    expect(report.perMillionMessages).toBeCloseTo((report.perMonth / report.chatMessagesPerMonth) * 1e6);
  });

  it('charges connection minutes for customers while connected and agents while signed in, and reconnects at the 2-hour cap', () => {
    const profile = { ...PROFILE, connectionMinutesPerConversation: 150, agents: 2, agentHoursPerDay: 8 };
    const report = costReport(emptyCounts(), profile, only('webSocketPerMillionConnectionMinutes', 1_000_000), NOTHING);
    expect(report.usage.connectionMinutes).toBe((1000 * 150 + 2 * 8 * 60) * DAYS_PER_MONTH);
    expect(report.byGroup['customer connections']).toBeCloseTo(1000 * 150 * DAYS_PER_MONTH);
    expect(report.byGroup.agents).toBeCloseTo(2 * 8 * 60 * DAYS_PER_MONTH);
    const lambdas = costReport(emptyCounts(), profile, only('lambdaPerMillionRequests', 1_000_000), NOTHING);
    // 150 minutes is two connections per conversation: $connect, sync, its recheck and $disconnect twice.
    const connectionLambdas = lambdas.byGroup['customer connections'] / DAYS_PER_MONTH / 1000;
    expect(connectionLambdas).toBe(2 * 4);
  });

  it('prices each line from the table: DynamoDB at $0.625/M write units and $0.125/M read units', () => {
    const usage = { ...stepUsage([], { inbound: 0, reply: 0 }, NOTHING), dynamodbWriteUnits: 2e6, dynamodbReadUnits: 4e6 };
    expect(priceUsage(usage, PRICE_TABLE).DynamoDB).toBeCloseTo(2 * 0.625 + 4 * 0.125);
    expect(PRICE_TABLE.region).toBe('us-east-1');
    expect(PRICE_TABLE.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('says what a MOCK integration for customer heartbeats would save: their Lambda and Redis, not their messages', () => {
    const counts = emptyCounts();
    for (const row of counts.steps) if (row.step === 'heartbeat (customer)') row.counts.redis = 1;
    const report = costReport(counts, PROFILE, PRICE_TABLE, NOTHING);
    const beatsPerMonth = 1000 * 2 * DAYS_PER_MONTH;
    const perBeat =
      PRICE_TABLE.lambdaPerMillionRequests / 1e6 +
      (NOTHING.lambdaBilledMs / 1000) * NOTHING.lambdaMemoryGb * PRICE_TABLE.lambdaArmPerGbSecond +
      PRICE_TABLE.upstashPerMillionCommands / 1e6 +
      ((NOTHING.logBytesPerInvocation + NOTHING.accessLogBytesPerRequest) / 1e9) * PRICE_TABLE.cloudWatchLogsPerGbIngested;
    expect(report.mockHeartbeatSavingPerMonth).toBeCloseTo(beatsPerMonth * perBeat, 6);
  });

  it('refuses counts that lack a step the model prices, and files that are not bench counts', () => {
    const counts = emptyCounts();
    expect(() => costReport({ ...counts, steps: counts.steps.filter((row) => row.step !== 'typing') }, PROFILE, PRICE_TABLE)).toThrow(
      /no bench step 'typing'/,
    );
    expect(() => parseBenchCounts('{"schema":1}', 'x.json')).toThrow(/x.json is not a bench counts file/);
    expect(() => parseBenchCounts('nope', 'x.json')).toThrow(/not JSON/);
    expect(parseBenchCounts(JSON.stringify(counts), 'ok.json').steps).toHaveLength(counts.steps.length);
  });
});

describe('the committed measured counts', () => {
  it('parse, name their commit and date, and have every step the model prices (re-measure after renaming a bench step)', async () => {
    const { readBenchCounts, MEASURED_COUNTS_PATH } = await import('../../../scripts/cost/bench-counts');
    const counts = await readBenchCounts(MEASURED_COUNTS_PATH);
    expect(counts.commit).toMatch(/^[0-9a-f]{7,}/);
    expect(Number.isNaN(Date.parse(counts.measuredAt))).toBe(false);
    const report = costReport(counts, { ...PROFILE, agents: 10, agentHoursPerDay: 8 }, PRICE_TABLE);
    expect(report.perMillionMessages).toBeGreaterThan(0);
    // Measured with command names: DynamoDB is split by command, not by the assumed share.
    expect(counts.steps.some((row) => Object.keys(row.commands.dynamodb ?? {}).length > 0)).toBe(true);
    // And with the write units bench metered, index writes included.
    expect(report.writeUnitsMetered).toBe(true);
  });
});
