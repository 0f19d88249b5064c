import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Needs } from '../../functions/routes';
import { LocalAccessDenied } from './access-denied';

/** The Needs flag that grants `sqs:SendMessage` on a queue (lib/constructs/parley-resources.ts grantNeeds). */
export type QueueSendNeed = 'routingQueue' | 'parksUnroutable' | 'webhookDeliveries' | 'events';

/** A send to a queue the entry point's Needs do not grant. */
export class LocalQueueAccessDeniedError extends LocalAccessDenied {
  constructor(
    entryName: string,
    readonly queueUrl: string,
  ) {
    super(entryName, `sqs:sendmessage on resource: ${queueUrl} because no identity-based policy allows the sqs:sendmessage action`);
  }
}

export interface QueueGrantCheckerOptions {
  /** The entry point whose invocation is running; undefined outside invocations (not checked). */
  readonly currentEntry: () => string | undefined;
  /** That entry point's declared needs (routes.ts). */
  readonly needsOf: (entryName: string) => Needs;
  /** The need that grants sending to each queue, by queue URL. */
  readonly sendNeedByQueueUrl: ReadonlyMap<string, QueueSendNeed>;
  /** Told of every refusal, e.g. to print it: a missing grant shows up as a failing handler. */
  readonly onDenied?: (error: LocalQueueAccessDeniedError) => void;
}

const SENDS = new Set(['SendMessageCommand', 'SendMessageBatchCommand']);

/**
 * Makes the handlers' SQS client behave as if each invocation ran under its function's IAM
 * role, as enforceTableGrants does for the table: a send to a queue the function's Needs do
 * not grant is refused before it is made. On AWS such a function would not even hold the SQS
 * client unless some other need put it in its bundle (parley-function.ts BUNDLE_GROUPS). Only
 * sends are checked: handlers make no other SQS request (the event-source pollers, which
 * receive and delete, run outside invocations).
 */
export function enforceQueueGrants(client: SQSClient, options: QueueGrantCheckerOptions): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const entryName = options.currentEntry();
      if (entryName !== undefined && SENDS.has(context.commandName ?? '')) {
        const queueUrl = String((args.input as { QueueUrl?: unknown }).QueueUrl ?? '');
        const need = options.sendNeedByQueueUrl.get(queueUrl);
        if (need === undefined || options.needsOf(entryName)[need] !== true) {
          const error = new LocalQueueAccessDeniedError(entryName, queueUrl);
          options.onDenied?.(error);
          throw error;
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'parleyLocalQueueGrants', priority: 'high' },
  );
}
