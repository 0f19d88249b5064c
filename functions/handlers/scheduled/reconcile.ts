import type { Context } from 'aws-lambda';
import { closeIdleBotConversations, type BotSweepReport } from '../../services/bot-sweep';
import { reconcile, type ReconcileReport } from '../../services/reconciliation';
import { flushMetrics, logger, metrics, MetricUnit } from '../../shared/observability';
import { getPorts } from '../../wiring';

/** What one run did: the routing reconciliation, and each sweep (undefined when that sweep failed). */
export interface ScheduledReport extends ReconcileReport {
  readonly botSweep?: BotSweepReport;
}

/**
 * Every minute (EventBridge on AWS, a timer locally): expire agents' presence, rebuild Redis
 * load from DynamoDB and nudge stalled queues; then the sweeps, each in its own try/catch so
 * one failing never stops the others. Drift found is logged and counted.
 */
export const handler = async (_event: unknown, context?: Context): Promise<ScheduledReport> => {
  if (context) logger.addContext(context);
  try {
    const ports = getPorts();
    // The sweep runs whether or not the routing reconciliation failed (and the other way round).
    const [routing, botSweep] = await Promise.allSettled([reconcile(ports), closeIdleBotConversations(ports)]);
    if (botSweep.status === 'rejected') logger.error('Idle bot conversation sweep failed', { error: botSweep.reason });
    else if (botSweep.value.closed > 0) metrics.addMetric('BotConversationsAbandoned', MetricUnit.Count, botSweep.value.closed);
    if (routing.status === 'rejected') {
      logger.error('Reconciliation failed', { error: routing.reason });
      throw routing.reason;
    }
    const report = routing.value;
    metrics.addMetric('RoutingLoadDrift', MetricUnit.Count, report.claimsAdded + report.claimsRemoved);
    metrics.addMetric('AgentsLost', MetricUnit.Count, report.agentsLost.length + report.agentsStranded.length);
    if (report.claimsAdded + report.claimsRemoved > 0) logger.warn('Routing load drift repaired', { ...report });
    else logger.info('Routing state reconciled', { ...report });
    return { ...report, ...(botSweep.status === 'fulfilled' ? { botSweep: botSweep.value } : {}) };
  } finally {
    flushMetrics();
  }
};
