import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import type { LogLevel } from '@aws-lambda-powertools/logger/types';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { traced } from './tracing';

const rootLogger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'parley' });

/** What one invocation logs with: its own logger (own keys) and its correlation id. */
interface InvocationScope {
  readonly logger: Logger;
  correlationId?: string;
}
const invocations = new AsyncLocalStorage<InvocationScope>();
let coldStart = true;

/**
 * The logger handlers and services use. Inside an invocation (see `inInvocation`) it is that
 * invocation's child logger, so keys appended by one invocation never reach another running in
 * the same process (the local stack runs every function in one); outside, the root logger.
 */
export const logger: Logger = new Proxy(rootLogger, {
  get(root, property) {
    // A test double installed on the root (vi.spyOn with an implementation) is returned as is.
    const own: unknown = Object.hasOwn(root, property) ? Reflect.get(root, property) : undefined;
    if (typeof own === 'function') return own;
    const current = invocations.getStore()?.logger ?? root;
    const value: unknown = Reflect.get(current, property);
    return typeof value === 'function' ? value.bind(current) : value;
  },
});

export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Parley',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'parley',
});

export { MetricUnit };

/** Publishes what the invocation recorded (no-op when nothing was recorded). */
export function flushMetrics(): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}

/**
 * Runs one invocation with a fresh child logger (no keys from earlier or concurrent
 * invocations), the Lambda context added when there is one.
 */
export function inInvocation<T>(context: Context | undefined, run: () => Promise<T>): Promise<T> {
  // The level as the environment says now (the local stack sets it after this module loads).
  const logLevel = (process.env.POWERTOOLS_LOG_LEVEL ?? process.env.AWS_LAMBDA_LOG_LEVEL ?? rootLogger.getLevelName()) as LogLevel;
  const scope: InvocationScope = { logger: rootLogger.createChild({ logLevel }) };
  return invocations.run(scope, () => {
    if (context) {
      // Each child is new and would call every invocation cold: only the container's first is.
      (scope.logger as unknown as { coldStart: boolean }).coldStart = coldStart;
      coldStart = false;
      scope.logger.addContext(context);
    }
    return traced(context?.functionName ?? 'handler', run);
  });
}

/** Sets the invocation's correlation id and puts it in every later log line of it. */
export function setCorrelationId(correlationId: string): void {
  const scope = invocations.getStore();
  if (scope) scope.correlationId = correlationId;
  logger.appendKeys({ correlationId });
}

/** The current invocation's correlation id (carried on to SQS messages), if it has one. */
export function currentCorrelationId(): string | undefined {
  return invocations.getStore()?.correlationId;
}
