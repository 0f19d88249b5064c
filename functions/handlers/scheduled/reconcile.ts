import type { Context } from 'aws-lambda';
import { reconcile, type ReconcileReport } from '../../services/reconciliation';
import { sweepTicketOffers } from '../../services/ticket-offers';
import { flushMetrics, logger, metrics, MetricUnit } from '../../shared/observability';
import { getPorts } from '../../wiring';

/**
 * Every minute (EventBridge on AWS, a timer locally): expire agents' presence, rebuild Redis
 * load from DynamoDB and nudge stalled queues. Drift found is logged and counted.
 */
export const handler = async (_event: unknown, context?: Context): Promise<ReconcileReport> => {
  if (context) logger.addContext(context);
  try {
    await offerTickets();
    const report = await reconcile(getPorts());
    metrics.addMetric('RoutingLoadDrift', MetricUnit.Count, report.claimsAdded + report.claimsRemoved);
    metrics.addMetric('AgentsLost', MetricUnit.Count, report.agentsLost.length + report.agentsStranded.length);
    if (report.claimsAdded + report.claimsRemoved > 0) logger.warn('Routing load drift repaired', { ...report });
    else logger.info('Routing state reconciled', { ...report });
    return report;
  } catch (error) {
    logger.error('Reconciliation failed', { error });
    throw error;
  } finally {
    flushMetrics();
  }
};

/** Ticket offers to long waits and closed teams (services/ticket-offers.ts): a failure here never stops the other sweeps. */
async function offerTickets(): Promise<void> {
  try {
    const report = await sweepTicketOffers(getPorts());
    const sent = report.offered.wait + report.offered.closed + report.offered.no_agent;
    metrics.addMetric('TicketOffers', MetricUnit.Count, sent);
    if (sent > 0) logger.info('Waiting customers offered a ticket', { ...report });
  } catch (error) {
    logger.error('The ticket-offer sweep failed', { error });
  }
}
