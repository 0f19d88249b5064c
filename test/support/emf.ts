import { vi } from 'vitest';
import { flushMetrics, metrics } from '../../functions/shared/observability';

/** One metric of an EMF line as CloudWatch reads it. */
export interface EmfMetric {
  readonly namespace: string;
  readonly name: string;
  readonly unit: string;
  /** The dimension set's names with their values (e.g. `{ service: 'parley', route: 'message' }`). */
  readonly dimensions: Readonly<Record<string, string>>;
  /** One value, or several when the line aggregated them. */
  readonly value: number | number[];
}

interface EmfLine {
  readonly _aws: {
    CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }>;
  };
  readonly [key: string]: unknown;
}

function parseLine(text: string): EmfLine | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && '_aws' in parsed ? (parsed as EmfLine) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Captures the EMF lines Powertools Metrics writes to stdout (metrics are enabled in unit
 * tests; the local stack disables them). Metrics stored before the capture are dropped;
 * `metrics()` flushes what is still stored first.
 */
export function captureEmf(): { metrics(): EmfMetric[]; stop(): void } {
  metrics.clearMetrics();
  const lines: EmfLine[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
    const found = String(chunk)
      .split('\n')
      .map((text) => parseLine(text))
      .filter((line) => line !== undefined);
    if (found.length > 0) {
      lines.push(...found);
      return true;
    }
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write);
  return {
    metrics() {
      flushMetrics();
      return lines.flatMap((line) =>
        line._aws.CloudWatchMetrics.flatMap((directive) => {
          const names = directive.Dimensions[0] ?? [];
          const dimensions = Object.fromEntries(names.map((name) => [name, String(line[name])]));
          return directive.Metrics.map((metric) => ({
            namespace: directive.Namespace,
            name: metric.Name,
            unit: metric.Unit,
            dimensions,
            value: line[metric.Name] as number | number[],
          }));
        }),
      );
    },
    stop: () => spy.mockRestore(),
  };
}
