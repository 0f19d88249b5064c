import type { BenchCounts } from './bench-counts';
import { type CostReport, DAYS_PER_MONTH, GROUPS } from './model';
import type { PriceTable } from './prices';

const dollars = (n: number) => (n >= 100 ? `$${n.toFixed(0)}` : n >= 1 ? `$${n.toFixed(2)}` : `$${n.toFixed(3)}`);
const count = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : n.toFixed(0));

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? '---' : '--:')).join('|')}|`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

/** The report `npm run cost` prints (Markdown, to paste into docs). */
export function renderReport(report: CostReport, source: { path: string; counts: BenchCounts; prices: PriceTable }): string {
  const { profile, usage } = report;
  const perMillion = (monthly: number) => (report.chatMessagesPerMonth > 0 ? (monthly / report.chatMessagesPerMonth) * 1e6 : 0);
  const services = Object.entries(report.byService).sort(([, a], [, b]) => b - a);
  return [
    `Cost model (npm run cost): prices ${source.prices.region}, checked ${source.prices.checked} (scripts/cost/prices.ts); counts ${source.path}, measured ${source.counts.measuredAt} at ${source.counts.commit}`,
    '',
    `Profile: ${count(profile.conversationsPerDay)} conversations a day x ${profile.messagesPerConversation} messages, customers connected ${profile.connectionMinutesPerConversation} min each; ${profile.agents} agents x ${profile.agentHoursPerDay} h a day; heartbeats every ${report.assumptions.customerHeartbeatSeconds} s (customers) and ${report.assumptions.agentHeartbeatSeconds} s (agents). A month is ${DAYS_PER_MONTH} days: ${count(report.chatMessagesPerMonth)} chat messages.`,
    '',
    `**${dollars(report.perMillionMessages)} per 1M chat messages, all-in; ${dollars(report.perMonth)} a month.**`,
    '',
    table(
      ['service', 'per month', 'per 1M messages'],
      services.map(([service, monthly]) => [service, dollars(monthly), dollars(perMillion(monthly))]),
    ),
    '',
    table(
      ['activity', 'per month', 'per 1M messages'],
      GROUPS.map((group) => [group, dollars(report.byGroup[group]), dollars(perMillion(report.byGroup[group]))]),
    ),
    '',
    table(
      ['protocol action (bench step)', 'times a month', '$ per 1M of them', 'per month'],
      report.bySteps.map((row) => [row.step, count(row.perMonth), dollars(row.each * 1e6), dollars(row.each * row.perMonth)]),
    ),
    '',
    table(
      ['billable per month', 'quantity'],
      [
        ['WebSocket messages (in and out)', count(usage.webSocketMessages)],
        ['WebSocket connection minutes', count(usage.connectionMinutes)],
        ['HTTP API requests', count(usage.httpRequests)],
        ['Lambda invocations', count(usage.lambdaRequests)],
        ['Lambda GB-seconds', count(usage.lambdaGbSeconds)],
        ['DynamoDB read units', count(usage.dynamodbReadUnits)],
        [
          `DynamoDB write units (index writes among them, ${report.writeUnitsMetered ? 'metered' : 'estimated'})`,
          `${count(usage.dynamodbWriteUnits)} (${count(usage.dynamodbIndexWriteUnits)})`,
        ],
        ['SQS requests', count(usage.sqsRequests)],
        ['Redis commands', count(usage.redisCommands)],
        ['CloudWatch Logs GB', (usage.logBytes / 1e9).toFixed(1)],
      ],
    ),
    '',
    `Upstash Redis: ${report.redis.plan} (${dollars(report.redis.perMonth)} a month; pay as you go would be ${dollars(report.redis.payAsYouGoPerMonth)}), about ${report.redis.bandwidthGb.toFixed(1)} GB of Redis traffic a month. Choose with --redis-plan.`,
    `Floor: WebSocket frames alone cost ${dollars(report.floor.messageFramesPerMillion)} per 1M chat messages (a message in, its ack, its push), ${dollars(report.floor.chatFramesPerMillion)} with the profile's ${report.assumptions.typingPerMessage} typing notices and ${report.assumptions.readsPerMessage} read marks per message: no change behind API Gateway goes under it.`,
    report.assumptions.tracing
      ? `X-Ray (active tracing, deployed by default): ${count(report.xRay.traces)} traces a month, ${dollars(report.xRay.perMonth)}: the default sampling rule (${report.assumptions.xRayReservoirPerSecond} a second, then ${report.assumptions.xRayFixedRate * 100}%) over ${count(report.xRay.rootInvocations)} invocations that start a trace, spread evenly (bunched traffic records fewer). --tracing off (the \`tracing\` context value) prices none.`
      : 'X-Ray: tracing off (the `tracing` context value), no traces priced.',
    `Answering customer heartbeats with a MOCK integration (no Lambda) would save ${dollars(report.mockHeartbeatSavingPerMonth)} a month (${dollars(perMillion(report.mockHeartbeatSavingPerMonth))} per 1M messages).`,
    report.writeUnitsMetered
      ? 'Assumptions (docs/cost.md): one Lambda invocation per function row, billed duration estimated, not measured; DynamoDB write units of the protocol actions metered by bench (index writes included), of the HTTP routes estimated; a batch request is billed per item.'
      : 'Assumptions (docs/cost.md): one Lambda invocation per function row, billed duration and index writes estimated, not measured; a batch request is billed per item.',
  ].join('\n');
}
