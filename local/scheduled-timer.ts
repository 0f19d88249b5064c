import { randomUUID } from 'node:crypto';
import { describeError, invokeLambda, type LambdaHandler } from './gateway/lambda-handler';

export interface ScheduledTimer {
  /** Runs the function now (after any run in progress), as the next tick would. */
  runNow(): Promise<void>;
  stop(): Promise<void>;
}

/** An EventBridge scheduled-event envelope, as the rule delivers it on AWS. */
function scheduledEvent(ruleName: string) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [`arn:aws:events:us-east-1:000000000000:rule/${ruleName}`],
    detail: {},
  };
}

/**
 * The local stand-in for an EventBridge rate rule: invokes the handler every intervalMs,
 * never two runs at once (a slow run delays the next tick instead of overlapping it).
 */
export function startScheduledTimer(options: {
  name: string;
  handler: LambdaHandler;
  intervalMs: number;
  onError?: (message: string) => void;
}): ScheduledTimer {
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const run = () => {
    running = running.then(async () => {
      if (stopped) return;
      const outcome = await invokeLambda(options.handler, scheduledEvent(options.name), options.name);
      if (!outcome.ok) options.onError?.(`${options.name} failed: ${describeError(outcome.error)}`);
    });
    return running;
  };
  const timer = setInterval(() => void run(), options.intervalMs);
  timer.unref();
  return {
    runNow: run,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
