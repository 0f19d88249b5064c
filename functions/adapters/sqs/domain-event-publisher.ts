import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DomainEvent } from '../../domain/domain-events';
import type { DomainEventPublisher } from '../../ports/domain-events';
import { QueueError } from './routing-queue';

/** SQS's cap on the entries of one SendMessageBatch. */
const SQS_BATCH = 10;

/**
 * Publishes domain events to the events queue (docs/events.md): one message per event, its
 * body the event's JSON, sent in batches of ten. Throws a QueueError when any entry was not
 * accepted (the caller logs and counts it; services/domain-events.ts never fails a request).
 */
export class SqsDomainEventPublisher implements DomainEventPublisher {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async publish(events: readonly DomainEvent[]): Promise<void> {
    for (let start = 0; start < events.length; start += SQS_BATCH) {
      const batch = events.slice(start, start + SQS_BATCH);
      let failed: number;
      try {
        const result = await this.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: batch.map((event, index) => ({ Id: String(index), MessageBody: JSON.stringify(event) })),
          }),
        );
        failed = result.Failed?.length ?? 0;
      } catch (error) {
        throw new QueueError(`Could not publish ${batch.map((event) => event.type).join(', ')}`, { cause: error });
      }
      if (failed > 0) throw new QueueError(`The events queue refused ${failed} of ${batch.length} events`);
    }
  }
}

/** Without an events queue configured (EVENTS_QUEUE_URL unset): events go nowhere. */
export const discardingEventPublisher: DomainEventPublisher = {
  publish: async () => {},
};
