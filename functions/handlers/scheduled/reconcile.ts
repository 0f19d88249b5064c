import type { Context } from 'aws-lambda';
import { sweepAvailability } from '../../services/availability-announcements';
import { reconcile, type ReconcileReport } from '../../services/reconciliation';
import { flushMetrics, logger, metrics, MetricUnit } from '../../shared/observability';
import { getPorts } from '../../wiring';

/**
 * Every minute (EventBridge on AWS, a timer locally): expire agents' presence, rebuild Redis
 * load from DynamoDB and nudge stalled queues. Drift found is logged and counted.
 */
export const handler = async (_event: unknown, context?: Context): Promise<ReconcileReport> => {
  if (context) logger.addContext(context);
  try {
    const ports = getPorts();
    const report = await reconcile(ports);
    // Its own try/catch: a failing sweep never stops the others.
    try {
      const announced = await sweepAvailability(ports);
      if (announced.length > 0) logger.info('Availability changes announced', { skills: announced });
    } catch (error) {
      logger.error('Availability sweep failed', { error });
    }
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
