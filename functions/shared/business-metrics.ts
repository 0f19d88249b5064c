import type { ServiceMetrics } from '../services/context';
import { metrics, MetricUnit } from './observability';

/**
 * The use cases' business metrics as EMF on the invocation's metrics (only the service
 * dimension; published with the invocation's other metrics when its handler flushes).
 */
export const serviceMetrics: ServiceMetrics = {
  count: (name, value = 1) => metrics.addMetric(name, MetricUnit.Count, value),
  seconds: (name, value) => metrics.addMetric(name, MetricUnit.Seconds, Math.max(0, value)),
};
