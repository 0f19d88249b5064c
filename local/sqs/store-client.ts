import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { MessageView } from './received-message-view';
import { messageOperations, type OperationContext } from './message-operations';
import type { QueueStore } from './queue-store';
import type { JsonObject } from './request-input';

/** What an event-source poller sends its commands with: an SQS client, or a StoreClient. */
export type PollingClient = Pick<SQSClient, 'send'>;

const NEVER = new AbortController().signal;

function fromBase64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'));
}

/** A received message as the SDK hands it over (binary attribute values decoded from base64). */
function asSdkMessage(view: MessageView): Message {
  if (!view.MessageAttributes) return view as Message;
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(view.MessageAttributes)) {
    attributes[name] = {
      ...value,
      ...(value.BinaryValue === undefined ? {} : { BinaryValue: fromBase64(value.BinaryValue) }),
    } as MessageAttributeValue;
  }
  return { ...view, MessageAttributes: attributes } as Message;
}

/**
 * The local stack's event-source pollers (Lambda's SQS event source mappings, which are AWS's
 * own machinery, not Parley code) reach the queues of the SQS endpoint the stack runs in this
 * process directly: the same operations the endpoint runs for ReceiveMessage,
 * DeleteMessageBatch and ChangeMessageVisibilityBatch, on the same store, without the SDK's
 * serialisation and middleware or the endpoint's JSON. The handlers' own SQS requests still go
 * through their SDK client. Errors are the endpoint's (SqsError, with its code as name).
 */
export class StoreClient implements PollingClient {
  constructor(private readonly store: QueueStore) {}

  readonly send = ((command: unknown, options?: { abortSignal?: AbortSignal }) => this.run(command, options)) as PollingClient['send'];

  private async run(command: unknown, options: { abortSignal?: AbortSignal } | undefined): Promise<unknown> {
    const context: OperationContext = { signal: (options?.abortSignal as AbortSignal | undefined) ?? NEVER };
    if (command instanceof ReceiveMessageCommand) {
      const output = await messageOperations.ReceiveMessage(this.store, command.input as unknown as JsonObject, context);
      return { Messages: output.Messages.map(asSdkMessage) };
    }
    if (command instanceof DeleteMessageBatchCommand) {
      return messageOperations.DeleteMessageBatch(this.store, command.input as unknown as JsonObject);
    }
    if (command instanceof ChangeMessageVisibilityBatchCommand) {
      return messageOperations.ChangeMessageVisibilityBatch(this.store, command.input as unknown as JsonObject);
    }
    throw new TypeError(`StoreClient: ${(command as object)?.constructor?.name ?? String(command)} is not an operation the pollers send`);
  }
}
