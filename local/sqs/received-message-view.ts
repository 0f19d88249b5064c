import type { MessageAttributes } from './message-attributes';
import { selectMessageAttributes } from './message-attributes';
import { md5OfMessageAttributes } from './message-md5';
import type { ReceivedMessage } from './queued-message';

/** A message in a ReceiveMessage response, as the SQS JSON protocol spells it. */
export interface MessageView {
  MessageId: string;
  ReceiptHandle: string;
  MD5OfBody: string;
  Body: string;
  Attributes?: Record<string, string>;
  MD5OfMessageAttributes?: string;
  MessageAttributes?: MessageAttributes;
}

export interface MessageViewOptions {
  /** `AttributeNames` plus `MessageSystemAttributeNames`; `All` selects every one. */
  systemAttributeNames: readonly string[];
  messageAttributeNames: readonly string[];
}

function systemAttributes(received: ReceivedMessage): Record<string, string> {
  const { message } = received;
  const attributes: Record<string, string> = {
    SenderId: message.senderId,
    SentTimestamp: String(message.sentTimestamp),
    ApproximateReceiveCount: String(message.receiveCount),
    ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp ?? message.sentTimestamp),
  };
  const traceHeader = message.messageSystemAttributes.AWSTraceHeader?.StringValue;
  if (traceHeader !== undefined) attributes.AWSTraceHeader = traceHeader;
  if (message.deadLetterQueueSourceArn !== undefined) attributes.DeadLetterQueueSourceArn = message.deadLetterQueueSourceArn;
  return attributes;
}

export function viewReceivedMessage(received: ReceivedMessage, options: MessageViewOptions): MessageView {
  const { message } = received;
  const view: MessageView = {
    MessageId: message.messageId,
    ReceiptHandle: received.receiptHandle,
    MD5OfBody: message.md5OfBody,
    Body: message.body,
  };
  if (options.systemAttributeNames.length > 0) {
    const all = systemAttributes(received);
    const selectAll = options.systemAttributeNames.includes('All');
    const selected: Record<string, string> = {};
    for (const [name, value] of Object.entries(all)) {
      if (selectAll || options.systemAttributeNames.includes(name)) selected[name] = value;
    }
    if (Object.keys(selected).length > 0) view.Attributes = selected;
  }
  const messageAttributes = selectMessageAttributes(message.messageAttributes, options.messageAttributeNames);
  const md5 = md5OfMessageAttributes(messageAttributes);
  if (md5 !== undefined) {
    view.MessageAttributes = messageAttributes;
    view.MD5OfMessageAttributes = md5;
  }
  return view;
}
