import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetterQueue, UnroutableTrigger } from '../../ports/dead-letter-queue';
import { QueueError } from './routing-queue';

/** The message attributes a parked trigger carries; scripts/redrive.ts reads and drops them. */
export const PARKED_ATTRIBUTES = {
  errorClass: 'ParleyErrorClass',
  errorMessage: 'ParleyErrorMessage',
  sourceQueueArn: 'ParleySourceQueueArn',
  firstReceivedAt: 'ParleyFirstReceivedAt',
  messageId: 'ParleyOriginalMessageId',
} as const;

/** SQS limits an attribute value's size along with the message; a reason needs no more. */
const MAX_REASON_CHARS = 1000;

const text = (value: string) => ({ DataType: 'String', StringValue: value.slice(0, MAX_REASON_CHARS) || '-' });

export class SqsDeadLetterQueue implements DeadLetterQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async park(trigger: UnroutableTrigger): Promise<void> {
    try {
      await this.sqs.send(
        new SendMessageCommand({
          QueueUrl: this.queueUrl,
          MessageBody: trigger.body,
          MessageAttributes: {
            [PARKED_ATTRIBUTES.errorClass]: text(trigger.errorClass),
            [PARKED_ATTRIBUTES.errorMessage]: text(trigger.errorMessage),
            [PARKED_ATTRIBUTES.sourceQueueArn]: text(trigger.sourceQueueArn),
            [PARKED_ATTRIBUTES.firstReceivedAt]: text(trigger.firstReceivedAt),
            [PARKED_ATTRIBUTES.messageId]: text(trigger.messageId),
          },
        }),
      );
    } catch (error) {
      throw new QueueError(`Could not park routing trigger ${trigger.messageId} in the dead-letter queue`, { cause: error });
    }
  }
}
