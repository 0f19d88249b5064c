import type { Context } from 'aws-lambda';
import { sweepAbandonedChats, type AbandonSweepReport } from '../../services/abandoned-chats';
import { sweepAvailability } from '../../services/availability-announcements';
import { reconcile, type ReconcileReport } from '../../services/reconciliation';
import { flushMetrics, logger, metrics, MetricUnit } from '../../shared/observability';
import { getPorts } from '../../wiring';

/**
 * Every minute (EventBridge on AWS, a timer locally): expire agents' presence, rebuild Redis
 * load from DynamoDB and nudge stalled queues; then the other sweeps (abandoned chats,
 * availability changes at opening and closing instants), each in its own try/catch so one
 * failing never stops the others (the run still fails, for the alarms). Drift found is
 * logged and counted.
 */
export const handler = async (
  _event: unknown,
  context?: Context,
): Promise<ReconcileReport & { readonly abandoned?: AbandonSweepReport }> => {
  if (context) logger.addContext(context);
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
  } catch (error) {
    logger.error('Reconciliation failed', { error });
    failure ??= { error };
  }
  try {
    abandoned = await sweepAbandonedChats(ports);
    metrics.addMetric('AbandonedChatsClosed', MetricUnit.Count, abandoned.closed);
    logger.info('Abandoned chats swept', { ...abandoned });
  } catch (error) {
    logger.error('Abandoned-chat sweep failed', { error });
    failure ??= { error };
  }
  try {
    // After the presence sweep: its lost agents count as gone.
    const announced = await sweepAvailability(ports);
    if (announced.length > 0) logger.info('Availability changes announced', { skills: announced });
  } catch (error) {
    logger.error('Availability sweep failed', { error });
    failure ??= { error };
  } finally {
    flushMetrics();
  }
  if (failure || !report) throw failure?.error;
  return { ...report, ...(abandoned ? { abandoned } : {}) };
};
