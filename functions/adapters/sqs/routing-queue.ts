import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
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
}
