import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { MAX_RETRY_DELAY_SECONDS } from '../../domain/webhooks';
import type { WebhookDelivery, WebhookDeliveryQueue } from '../../ports/webhooks';
import { QueueError } from './routing-queue';

/** SendMessageBatch's ceiling. */
const BATCH = 10;

/** The `webhook-deliveries` queue: one message per endpoint and attempt, retries delayed by DelaySeconds. */
export class SqsWebhookDeliveryQueue implements WebhookDeliveryQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(deliveries: readonly WebhookDelivery[], delaySeconds = 0): Promise<void> {
    const delay = Math.max(0, Math.min(MAX_RETRY_DELAY_SECONDS, Math.round(delaySeconds)));
    for (let start = 0; start < deliveries.length; start += BATCH) {
      const batch = deliveries.slice(start, start + BATCH);
      let failed: string[];
      try {
        const output = await this.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: batch.map((delivery, index) => ({
              Id: String(index),
              MessageBody: JSON.stringify(delivery),
              ...(delay > 0 ? { DelaySeconds: delay } : {}),
            })),
          }),
        );
        failed = (output.Failed ?? []).map((entry) => `${entry.Id}: ${entry.Code}`);
      } catch (error) {
        throw new QueueError(`Could not enqueue ${batch.length} webhook deliveries`, { cause: error });
      }
      if (failed.length > 0) throw new QueueError(`Could not enqueue webhook deliveries (${failed.join(', ')})`);
    }
  }
}
