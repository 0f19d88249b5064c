import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DependencyError } from '../../ports/errors';
import type { PublishOptions, RoutingQueue, RoutingTrigger } from '../../ports/routing-queue';
import { currentCorrelationId } from '../../shared/observability';

export class QueueError extends DependencyError {
  override readonly name = 'QueueError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('sqs', message, options);
  }
}

function withCorrelationId(trigger: RoutingTrigger): RoutingTrigger & { correlationId?: string } {
  const correlationId = currentCorrelationId();
  return correlationId ? { ...trigger, correlationId } : trigger;
}

export class SqsRoutingQueue implements RoutingQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async publish(trigger: RoutingTrigger, options: PublishOptions = {}): Promise<void> {
    try {
      await this.sqs.send(
        new SendMessageCommand({
          QueueUrl: this.queueUrl,
          // The publishing invocation's correlation id rides along, so the router's lines carry it too.
          MessageBody: JSON.stringify(withCorrelationId(trigger)),
          ...(options.delaySeconds ? { DelaySeconds: options.delaySeconds } : {}),
        }),
      );
    } catch (error) {
      throw new QueueError(`Could not publish ${trigger.type}`, { cause: error });
    }
  }

  async publishAll(triggers: readonly RoutingTrigger[]): Promise<void> {
    if (triggers.length === 0) return;
    if (triggers.length === 1) return this.publish(triggers[0]!);
    if (triggers.length > 10) throw new QueueError(`At most 10 triggers go in one batch, not ${triggers.length}`);
    let failed: string[];
    try {
      const result = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: triggers.map((trigger, index) => ({ Id: String(index), MessageBody: JSON.stringify(withCorrelationId(trigger)) })),
        }),
      );
      failed = (result.Failed ?? []).map((entry) => entry.Id ?? '?');
    } catch (error) {
      throw new QueueError(`Could not publish ${triggers.map((trigger) => trigger.type).join(', ')}`, { cause: error });
    }
    if (failed.length > 0) throw new QueueError(`Could not publish ${failed.length} of ${triggers.length} triggers`);
  }
}
