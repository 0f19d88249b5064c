import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { handleTrigger } from '../../services/routing';
import { flushMetrics, logger, metrics, MetricUnit } from '../../shared/observability';
import { getPorts } from '../../wiring';

const triggerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('conversation.queued'), conversationId: z.string().min(1) }),
  z.object({ type: z.literal('agent.available'), agentId: z.string().min(1) }),
  z.object({ type: z.literal('agent.lost'), agentId: z.string().min(1) }),
]);

const processor = new BatchProcessor(EventType.SQS);

async function processRecord(record: SQSRecord): Promise<void> {
  // A malformed trigger fails every time, so after maxReceiveCount it lands in the DLQ for a look.
  const trigger = triggerSchema.parse(JSON.parse(record.body));
  logger.appendKeys({ trigger: trigger.type, ...('conversationId' in trigger ? { conversationId: trigger.conversationId } : { agentId: trigger.agentId }) });
  try {
    await handleTrigger(getPorts(), trigger);
    metrics.addMetric('RoutingTriggersHandled', MetricUnit.Count, 1);
  } finally {
    logger.removeKeys(['trigger', 'conversationId', 'agentId']);
  }
}

/** The router: SQS batches with partial failures, so one bad trigger never retries the others. */
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  try {
    return await processPartialResponse(event, processRecord, processor, { context });
  } finally {
    flushMetrics();
  }
};
