import type { LambdaHandler } from './gateway/lambda-handler';

/**
 * Every handler invocation still running, so a shutdown can wait for them (a `$disconnect`
 * started by a socket that closed just before) before it closes the DynamoDB, SQS and Redis
 * endpoints they talk to: otherwise each one fails with ECONNREFUSED on its way out.
 */
export class InFlightInvocations {
  private readonly running = new Set<Promise<unknown>>();

  track(handler: LambdaHandler): LambdaHandler {
    return (event, context) => {
      let invocation: Promise<unknown>;
      try {
        invocation = handler(event, context);
      } catch (error) {
        invocation = Promise.reject(error);
      }
      const settled = invocation.then(
        () => undefined,
        () => undefined,
      );
      this.running.add(settled);
      void settled.then(() => this.running.delete(settled));
      return invocation;
    };
  }

  get count(): number {
    return this.running.size;
  }

  /** Resolves once nothing is running, including invocations started while it waited. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
