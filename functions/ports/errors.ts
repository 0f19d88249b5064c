/**
 * What adapters throw when the service behind them fails (a timeout, a throttle, a 5xx).
 * Each adapter module has its own subclass; all of them mean "safe to retry" to a client.
 */
export class DependencyError extends Error {
  override readonly name: string = 'DependencyError';
  constructor(
    readonly dependency: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
