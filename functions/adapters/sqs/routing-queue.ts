import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DependencyError } from '../../ports/errors';
import type { PublishOptions, RoutingQueue, RoutingTrigger } from '../../ports/routing-queue';

export class QueueError extends DependencyError {
  override readonly name = 'QueueError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('sqs', message, options);
  }
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
          MessageBody: JSON.stringify(trigger),
          ...(options.delaySeconds ? { DelaySeconds: options.delaySeconds } : {}),
        }),
      );
    } catch (error) {
      throw new QueueError(`Could not publish ${trigger.type}`, { cause: error });
    }
  }
}
