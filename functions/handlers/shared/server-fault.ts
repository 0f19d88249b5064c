import { DependencyError } from '../../ports/errors';
import { logger, metrics, MetricUnit } from '../../shared/observability';

/** The `dependency` dimension of `ServerFault` (docs/operations.md). */
export type FaultDependency = 'dynamodb' | 'redis' | 'sqs' | 'apigw' | 'secrets' | 'ses' | 's3' | 'unknown';

/** Adapters name what failed (ports/errors.ts); the metric uses the shorter, fixed set. */
const DEPENDENCY_OF_ADAPTER: Readonly<Record<string, FaultDependency>> = {
  dynamodb: 'dynamodb',
  'upstash-redis': 'redis',
  sqs: 'sqs',
  'apigateway-management': 'apigw',
  'secrets-manager': 'secrets',
  ses: 'ses',
  s3: 's3',
};

/** The dependency whose adapter threw, following `cause` (services may wrap adapter errors). */
export function faultDependency(error: unknown): FaultDependency {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    if (current instanceof DependencyError) return DEPENDENCY_OF_ADAPTER[current.dependency] ?? 'unknown';
    current = current.cause;
  }
  return 'unknown';
}

/**
 * A server fault (ours, not the caller's): logged once at ERROR and counted as `ServerFault`
 * twice, once with only the service dimension (what the alarm watches) and once by route and
 * dependency (the dashboard's breakdown). Single-metric lines, so they are out even when the
 * invocation then throws before its metrics are flushed.
 */
export function recordServerFault(route: string, error: unknown, message: string, details: Record<string, unknown> = {}): void {
  const dependency = faultDependency(error);
  metrics.singleMetric().addMetric('ServerFault', MetricUnit.Count, 1);
  const breakdown = metrics.singleMetric();
  breakdown.addDimensions({ route, dependency });
  breakdown.addMetric('ServerFault', MetricUnit.Count, 1);
  logger.error(message, { ...details, route, dependency, error });
}
