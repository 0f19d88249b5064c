import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import type { RoutingTrigger } from '../../ports/routing-queue';
import { handleTriggers } from '../../services/routing';
import { flushMetrics, inInvocation, logger, metrics, MetricUnit } from '../../shared/observability';
import { recordServerFault } from '../shared/server-fault';
import { getPorts } from '../../wiring';

const triggerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('conversation.queued'), conversationId: z.string().min(1) }),
  z.object({ type: z.literal('agent.available'), agentId: z.string().min(1) }),
  z.object({ type: z.literal('agent.lost'), agentId: z.string().min(1) }),
  z.object({ type: z.literal('agent.left'), agentId: z.string().min(1), disconnectedAt: z.iso.datetime() }),
]);

/** The correlation id the publisher put beside the trigger (functions/adapters/sqs/routing-queue.ts). */
function correlationIdOf(record: SQSRecord): string | undefined {
  try {
    const value: unknown = (JSON.parse(record.body) as { correlationId?: unknown }).correlationId;
    return typeof value === 'string' && value.length <= 128 ? value : undefined;
  } catch {
    return undefined;
  }
}

function parseTrigger(record: SQSRecord): RoutingTrigger | undefined {
  try {
    return triggerSchema.parse(JSON.parse(record.body));
  } catch (error) {
    // A malformed trigger fails every time, so after maxReceiveCount it lands in the DLQ for a look.
    logger.error('Malformed routing trigger', { messageId: record.messageId, error });
    return undefined;
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
    const failed: string[] = [];
    const valid: Array<{ record: SQSRecord; trigger: RoutingTrigger }> = [];
    for (const record of event.Records) {
      const trigger = parseTrigger(record);
      if (trigger) valid.push({ record, trigger });
      else failed.push(record.messageId);
    }
    const outcomes =
      valid.length === 0
        ? []
        : await handleTriggers(
            getPorts(),
            valid.map(({ trigger }) => trigger),
          );
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
