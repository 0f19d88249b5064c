import { readBatchEntries, runBatch } from './batch-entries';
import { messageAttributesSize, parseMessageAttributes } from './message-attributes';
import type { QueueStore, SendMessageResult } from './queue-store';
import { viewReceivedMessage } from './received-message-view';
import type { JsonObject } from './request-input';
import { optionalInteger, optionalStringList, requireInteger, requireString } from './request-input';
import { SqsError } from './sqs-errors';

export interface OperationContext {
  /** Aborted when the HTTP client goes away, so a long poll stops without taking messages. */
  signal: AbortSignal;
}

function sendOne(store: QueueStore, queueName: string, input: JsonObject): SendMessageResult {
  return store.sendMessage(queueName, {
    body: requireString(input, 'MessageBody'),
    delaySeconds: optionalInteger(input, 'DelaySeconds'),
    messageAttributes: parseMessageAttributes(input.MessageAttributes),
    messageSystemAttributes: parseMessageAttributes(input.MessageSystemAttributes, 'MessageSystemAttributes'),
  });
}

function sendResultFields(result: SendMessageResult) {
  return {
    MessageId: result.messageId,
    MD5OfMessageBody: result.md5OfMessageBody,
    ...(result.md5OfMessageAttributes ? { MD5OfMessageAttributes: result.md5OfMessageAttributes } : {}),
    ...(result.md5OfMessageSystemAttributes ? { MD5OfMessageSystemAttributes: result.md5OfMessageSystemAttributes } : {}),
  };
}

function entrySize(entry: JsonObject): number {
  const body = typeof entry.MessageBody === 'string' ? Buffer.byteLength(entry.MessageBody) : 0;
  try {
    return body + messageAttributesSize(parseMessageAttributes(entry.MessageAttributes));
  } catch {
    return body; // invalid attributes fail that entry later
  }
}

/** SendMessage(Batch), ReceiveMessage, DeleteMessage(Batch), ChangeMessageVisibility(Batch). */
export const messageOperations = {
  SendMessage(store: QueueStore, input: JsonObject) {
    const queue = store.getQueueByUrl(requireString(input, 'QueueUrl'));
    return sendResultFields(sendOne(store, queue.name, input));
  },

  SendMessageBatch(store: QueueStore, input: JsonObject) {
    const queue = store.getQueueByUrl(requireString(input, 'QueueUrl'));
    const entries = readBatchEntries(input);
    const total = entries.reduce((sum, entry) => sum + entrySize(entry), 0);
    if (total > queue.settings.maximumMessageSize) {
      throw new SqsError(
        'BatchRequestTooLong',
        `Batch requests cannot be longer than ${queue.settings.maximumMessageSize} bytes. You have sent ${total} bytes.`,
        400,
        'AWS.SimpleQueueService.BatchRequestTooLong',
      );
    }
    return runBatch(entries, (entry) => ({ Id: entry.Id, ...sendResultFields(sendOne(store, queue.name, entry)) }));
  },

  async ReceiveMessage(store: QueueStore, input: JsonObject, context: OperationContext) {
    const queue = store.getQueueByUrl(requireString(input, 'QueueUrl'));
    const received = await store.waitForMessages(queue.name, {
      maxNumberOfMessages: optionalInteger(input, 'MaxNumberOfMessages'),
      visibilityTimeoutSeconds: optionalInteger(input, 'VisibilityTimeout'),
      waitTimeSeconds: optionalInteger(input, 'WaitTimeSeconds'),
      signal: context.signal,
    });
    const viewOptions = {
      systemAttributeNames: [...optionalStringList(input, 'AttributeNames'), ...optionalStringList(input, 'MessageSystemAttributeNames')],
      messageAttributeNames: optionalStringList(input, 'MessageAttributeNames'),
    };
    return { Messages: received.map((message) => viewReceivedMessage(message, viewOptions)) };
  },

  DeleteMessage(store: QueueStore, input: JsonObject) {
    const queue = store.getQueueByUrl(requireString(input, 'QueueUrl'));
    store.deleteMessage(queue.name, requireString(input, 'ReceiptHandle'));
    return {};
  },

  DeleteMessageBatch(store: QueueStore, input: JsonObject) {
    const queue = store.getQueueByUrl(requireString(input, 'QueueUrl'));
    return runBatch(readBatchEntries(input), (entry) => {
      store.deleteMessage(queue.name, requireString(entry, 'ReceiptHandle'));
      return { Id: entry.Id };
    });
  },

  ChangeMessageVisibility(store: QueueStore, input: JsonObject) {
    const queue = store.getQueueByUrl(requireString(input, 'QueueUrl'));
    store.changeMessageVisibility(queue.name, requireString(input, 'ReceiptHandle'), requireInteger(input, 'VisibilityTimeout'));
    return {};
  },

  ChangeMessageVisibilityBatch(store: QueueStore, input: JsonObject) {
    const queue = store.getQueueByUrl(requireString(input, 'QueueUrl'));
    return runBatch(readBatchEntries(input), (entry) => {
      store.changeMessageVisibility(queue.name, requireString(entry, 'ReceiptHandle'), requireInteger(entry, 'VisibilityTimeout'));
      return { Id: entry.Id };
    });
  },
};
