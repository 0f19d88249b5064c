import { Duration } from 'aws-cdk-lib';
import { Metric, type MetricOptions } from 'aws-cdk-lib/aws-cloudwatch';

/**
 * The EMF metrics the functions emit (functions/shared/observability.ts), as CloudWatch sees
 * them: namespace and service as in the functions' environment (parley-resources.ts). Every
 * metric carries the `service` dimension alone; `ServerFault` is also emitted with `route` and
 * `dependency`, which only the dashboard reads (alarms watch the service-only series).
 */
export const PARLEY_NAMESPACE = 'Parley';
export const PARLEY_SERVICE = 'parley';

export const FAULT_METRICS = ['ServerFault', 'RateLimitFailOpen', 'RateLimitFailClosed', 'ReconcileRuns', 'EventsPublishFailed'] as const;
export const BUSINESS_COUNT_METRICS = [
  'MessagesStored',
  'ConversationsStarted',
  'ConversationsAbandoned',
  'DeliveriesSent',
  'DeliveriesGone',
  'DeliveriesFailed',
] as const;
/** Seconds each; graphed as p50 and p90. */
export const BUSINESS_DURATION_METRICS = ['QueueWait', 'TimeToAssignment', 'FirstResponse'] as const;

export type ParleyMetricName =
  | (typeof FAULT_METRICS)[number]
  | (typeof BUSINESS_COUNT_METRICS)[number]
  | (typeof BUSINESS_DURATION_METRICS)[number];

/** A Parley metric with only the `service` dimension (what alarms and totals read). */
export function parleyMetric(metricName: ParleyMetricName, options: MetricOptions = {}): Metric {
  return new Metric({
    namespace: PARLEY_NAMESPACE,
    metricName,
    dimensionsMap: { service: PARLEY_SERVICE },
    statistic: 'Sum',
    period: Duration.minutes(5),
    ...options,
  });
}

/** SEARCH over the `ServerFault` series broken down by route and dependency (dashboard only). */
export const SERVER_FAULT_BREAKDOWN_SEARCH = `SEARCH('{${PARLEY_NAMESPACE},dependency,route,service} MetricName="ServerFault" service="${PARLEY_SERVICE}"', 'Sum', 60)`;
