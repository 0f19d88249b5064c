import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from '../../shared/zod';
import { DOMAIN_EVENT_TYPES } from '../../domain/domain-events';
import { PING_EVENT_TYPE } from '../../domain/webhooks';
import type { WebhookDelivery } from '../../ports/webhooks';
import { deliverWebhook } from '../../services/webhooks';
import { flushMetrics, inInvocation, logger } from '../../shared/observability';
import { getWiring } from '../../wiring';
import { recordServerFault } from '../shared/server-fault';

const deliverySchema = z.object({
  deliveryId: z.string().check(z.minLength(1), z.maxLength(64)),
  endpointId: z.string().check(z.minLength(1), z.maxLength(64)),
  attempt: z.number().check(z.int(), z.minimum(1), z.maximum(100)),
  payload: z.object({
    id: z.string().check(z.minLength(1), z.maxLength(200)),
    type: z.enum([...DOMAIN_EVENT_TYPES, PING_EVENT_TYPE]),
    createdAt: z.string(),
    data: z.record(z.string(), z.unknown()),
  }),
});

function parse(record: SQSRecord): WebhookDelivery | undefined {
  try {
    const parsed = deliverySchema.safeParse(JSON.parse(record.body));
    if (parsed.success) return parsed.data as unknown as WebhookDelivery;
  } catch {
    // fall through: logged below
  }
  return undefined;
}

/**
 * The `webhook-deliveries` worker: each record is one attempt at one endpoint, all attempted
 * at once (each bounded by WEBHOOK_TIMEOUT_MS). A receiver's failure is not this function's:
 * the attempt is logged and the next one queued with its backoff, and the record succeeds. Only
 * Parley's own failures (the table, the queue) fail a record, so SQS redelivers it and parks
 * it in the DLQ after maxReceiveCount. A malformed body is dropped with an error log.
 */
export const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => inInvocation(context, () => deliver(event));

async function deliver(event: SQSEvent): Promise<SQSBatchResponse> {
  try {
    const { webhooks } = getWiring();
    const failed: string[] = [];
    await Promise.all(
      event.Records.map(async (record) => {
        const delivery = parse(record);
        if (!delivery) {
          logger.error('Malformed webhook delivery dropped', { messageId: record.messageId });
          return;
        }
        try {
          await deliverWebhook(webhooks, delivery);
        } catch (error) {
          recordServerFault('webhook-delivery', error, 'Webhook delivery failed on our side; SQS will deliver it again', {
            endpointId: delivery.endpointId,
            deliveryId: delivery.deliveryId,
          });
          failed.push(record.messageId);
        }
      }),
    );
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  } finally {
    flushMetrics();
  }
}
