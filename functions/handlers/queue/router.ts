import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { DeadLetterQueue } from '../../ports/dead-letter-queue';
import type { RoutingTrigger } from '../../ports/routing-queue';
import { handleTriggers } from '../../services/routing';
import { flushMetrics, inInvocation, logger, metrics, MetricUnit } from '../../shared/observability';
import { recordServerFault } from '../shared/server-fault';
import { getWiring } from '../../wiring';
import { type PermanentFailure, parseTriggerBody } from './trigger-parsing';

/** The correlation id the publisher put beside the trigger (functions/adapters/sqs/routing-queue.ts). */
function correlationIdOf(record: SQSRecord): string | undefined {
  try {
    const value: unknown = (JSON.parse(record.body) as { correlationId?: unknown }).correlationId;
    return typeof value === 'string' && value.length <= 128 ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A trigger that can never succeed goes to the DLQ now instead of after every retry. Parked,
 * it counts as handled; if parking fails (or no DLQ is configured) it is retried as any
 * failure, and SQS parks it after maxReceiveCount.
 */
async function park(deadLetters: DeadLetterQueue | undefined, record: SQSRecord, failure: PermanentFailure): Promise<boolean> {
  logger.error('Routing trigger can never succeed; parking it in the dead-letter queue', {
    messageId: record.messageId,
    errorClass: failure.errorClass,
    error: failure.errorMessage,
  });
  if (!deadLetters) return false;
  const firstReceived = Number(record.attributes.ApproximateFirstReceiveTimestamp);
  try {
    await deadLetters.park({
      body: record.body,
      errorClass: failure.errorClass,
      errorMessage: failure.errorMessage,
      sourceQueueArn: record.eventSourceARN,
      firstReceivedAt: Number.isFinite(firstReceived) ? new Date(firstReceived).toISOString() : new Date().toISOString(),
      messageId: record.messageId,
    });
    return true;
  } catch (error) {
    logger.error('Could not park the routing trigger; SQS will deliver it again', { messageId: record.messageId, error });
    return false;
  }
}

/**
 * The router: the whole SQS batch is routed together (one drain and one position update per
 * skill, however many of its triggers name it), with partial failures, so a trigger that
 * fails is retried without the others.
 */
export const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => inInvocation(context, () => route(event));

async function route(event: SQSEvent): Promise<SQSBatchResponse> {
  // The batch's lines carry every trigger's correlation id; a failed trigger's line its own.
  const correlationIds = [...new Set(event.Records.map(correlationIdOf).filter((id) => id !== undefined))];
  if (correlationIds.length > 0) logger.appendKeys({ correlationIds });
  try {
    const { ports, deadLetters } = getWiring();
    const failed: string[] = [];
    const valid: Array<{ record: SQSRecord; trigger: RoutingTrigger }> = [];
    const unroutable: Array<{ record: SQSRecord; failure: PermanentFailure }> = [];
    for (const record of event.Records) {
      const parsed = parseTriggerBody(record.body);
      if ('trigger' in parsed) valid.push({ record, trigger: parsed.trigger });
      else unroutable.push({ record, failure: parsed.permanent });
    }
    const [outcomes, parked] = await Promise.all([
      valid.length === 0
        ? []
        : handleTriggers(
            ports,
            valid.map(({ trigger }) => trigger),
          ),
      Promise.all(unroutable.map(({ record, failure }) => park(deadLetters, record, failure))),
    ]);
    parked.forEach((done, index) => {
      if (!done) failed.push(unroutable[index]!.record.messageId);
    });
    let handled = 0;
    outcomes.forEach((outcome, index) => {
      if (!('error' in outcome)) {
        handled++;
        return;
      }
      const { record } = valid[index]!;
      const correlationId = correlationIdOf(record);
      recordServerFault('router', outcome.error, 'Routing trigger failed; SQS will deliver it again', {
        trigger: outcome.trigger,
        ...(correlationId ? { correlationId } : {}),
      });
      failed.push(record.messageId);
    });
    if (handled > 0) metrics.addMetric('RoutingTriggersHandled', MetricUnit.Count, handled);
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  } finally {
    flushMetrics();
  }
}
