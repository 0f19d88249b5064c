import type { Context } from 'aws-lambda';
import { sweepAbandonedChats, type AbandonSweepReport } from '../../services/abandoned-chats';
import { sweepAvailability } from '../../services/availability-announcements';
import type { Ports } from '../../services/context';
import { closeIdleBotConversations } from '../../services/bot-sweep';
import { reconcile, type ReconcileReport } from '../../services/reconciliation';
import { sweepTicketOffers } from '../../services/ticket-offers';
import { flushMetrics, inInvocation, logger, metrics, MetricUnit } from '../../shared/observability';
import { recordServerFault } from '../shared/server-fault';
import { getPorts } from '../../wiring';

/** One periodic job besides reconciliation; each runs in its own try/catch. */
interface Sweep {
  readonly name: string;
  run(ports: Ports): Promise<void>;
}

const SWEEPS: readonly Sweep[] = [
  {
    // A `bot` conversation holds no agent and is in no queue: nothing else would end it.
    name: 'Idle bot conversation sweep',
    async run(ports) {
      const report = await closeIdleBotConversations(ports);
      if (report.closed > 0) metrics.addMetric('BotConversationsAbandoned', MetricUnit.Count, report.closed);
    },
  },
  {
    name: 'Ticket-offer sweep',
    async run(ports) {
      const report = await sweepTicketOffers(ports);
      const sent = report.offered.wait + report.offered.closed + report.offered.no_agent;
      metrics.addMetric('TicketOffers', MetricUnit.Count, sent);
      if (sent > 0) logger.info('Waiting customers offered a ticket', { ...report });
    },
  },
  {
    // After the presence sweep: its lost agents count as gone.
    name: 'Availability sweep',
    async run(ports) {
      const announced = await sweepAvailability(ports);
      if (announced.length > 0) logger.info('Availability changes announced', { skills: announced });
    },
  },
];

/**
 * Every minute (EventBridge on AWS, a timer locally): expire agents' presence, rebuild Redis
 * load from DynamoDB and nudge stalled queues; then the other sweeps (abandoned chats, idle bot
 * conversations, ticket offers to long waits, availability changes at opening and closing instants), each in its
 * own try/catch so one failing never stops the others (the run still fails, for the alarms).
 * Drift found is logged and counted.
 */
export const handler = (_event: unknown, context?: Context): Promise<ReconcileReport & { readonly abandoned?: AbandonSweepReport }> =>
  inInvocation(context, runAll);

async function runAll(): Promise<ReconcileReport & { readonly abandoned?: AbandonSweepReport }> {
  const ports = getPorts();
  let failure: { error: unknown } | undefined;
  let report: ReconcileReport | undefined;
  let abandoned: AbandonSweepReport | undefined;
  try {
    report = await reconcile(ports);
    metrics.addMetric('RoutingLoadDrift', MetricUnit.Count, report.claimsAdded + report.claimsRemoved);
    metrics.addMetric('AgentsLost', MetricUnit.Count, report.agentsLost.length + report.agentsStranded.length);
    if (report.claimsAdded + report.claimsRemoved > 0) logger.warn('Routing load drift repaired', { ...report });
    else logger.info('Routing state reconciled', { ...report });
    // The alarm on a missing run watches this: the schedule stopped or every run fails.
    metrics.addMetric('ReconcileRuns', MetricUnit.Count, 1);
  } catch (error) {
    recordServerFault('reconcile', error, 'Reconciliation failed');
    failure ??= { error };
  }
  try {
    try {
      abandoned = await sweepAbandonedChats(ports);
      metrics.addMetric('AbandonedChatsClosed', MetricUnit.Count, abandoned.closed);
      logger.info('Abandoned chats swept', { ...abandoned });
    } catch (error) {
      recordServerFault('reconcile', error, 'Abandoned-chat sweep failed');
      failure ??= { error };
    }
    for (const sweep of SWEEPS) {
      try {
        await sweep.run(ports);
      } catch (error) {
        recordServerFault('reconcile', error, `${sweep.name} failed`);
        failure ??= { error };
      }
    }
  } finally {
    flushMetrics();
  }
  if (failure || !report) throw failure?.error;
  return { ...report, ...(abandoned ? { abandoned } : {}) };
}
