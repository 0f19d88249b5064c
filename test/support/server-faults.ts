import { vi } from 'vitest';

/**
 * The dimension sets `ServerFault` was counted with (the local stack disables EMF output, so
 * the single-metric instances the handlers create are watched in this process).
 */
export async function watchServerFaults(): Promise<Array<Record<string, string>>> {
  // Imported once the stack has set the handlers' log level (the module reads it when loaded).
  const { metrics } = await import('../../functions/shared/observability');
  const seen: Array<Record<string, string>> = [];
  const create = metrics.singleMetric.bind(metrics);
  vi.spyOn(metrics, 'singleMetric').mockImplementation(() => {
    const single = create();
    const dimensions: Record<string, string> = {};
    const addDimensions = single.addDimensions.bind(single);
    const addMetric = single.addMetric.bind(single);
    single.addDimensions = (added) => {
      Object.assign(dimensions, added);
      return addDimensions(added);
    };
    single.addMetric = (name, unit, value) => {
      if (name === 'ServerFault') seen.push({ ...dimensions });
      return addMetric(name, unit, value);
    };
    return single;
  });
  return seen;
}
