import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { QueueStore } from '../../../local/sqs/queue-store';
import { StoreClient } from '../../../local/sqs/store-client';

function storeWithQueue() {
  const store = new QueueStore({ region: 'us-east-1', accountId: '000000000000', baseUrl: 'http://127.0.0.1:1' });
  const queue = store.createQueue('events');
  return { store, queueUrl: queue.url, client: new StoreClient(store) };
}

describe('StoreClient (the local pollers on their own SQS endpoint)', () => {
  it('receives messages in the shape the SDK gives them, binary attributes decoded, and deletes them', async () => {
    const { store, queueUrl, client } = storeWithQueue();
    const bytes = Uint8Array.from([0, 1, 2, 250]);
    store.sendMessage('events', {
      body: 'hello',
      messageAttributes: {
        kind: { DataType: 'String', StringValue: 'x' },
        raw: { DataType: 'Binary', BinaryValue: Buffer.from(bytes).toString('base64') },
      },
    });
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    expect(Messages).toHaveLength(1);
    expect(Messages[0]).toMatchObject({ Body: 'hello', Attributes: { ApproximateReceiveCount: '1' } });
    expect(Messages[0]?.MessageAttributes?.kind).toEqual({ DataType: 'String', StringValue: 'x' });
    expect(Messages[0]?.MessageAttributes?.raw?.BinaryValue).toEqual(bytes);
    const deleted = await client.send(
      new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: [{ Id: '0', ReceiptHandle: Messages[0]?.ReceiptHandle ?? '' }] }),
    );
    expect(deleted).toMatchObject({ Successful: [{ Id: '0' }] });
    expect(store.getQueueAttributes('events', ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'])).toEqual({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
  });

  it('ends a long poll when aborted, taking nothing', async () => {
    const { store, queueUrl, client } = storeWithQueue();
    const abort = new AbortController();
    const receiving = client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 20 }), { abortSignal: abort.signal });
    abort.abort();
    expect((await receiving).Messages).toEqual([]);
    store.sendMessage('events', { body: 'later' });
    expect(store.getQueueAttributes('events', ['ApproximateNumberOfMessages'])).toEqual({ ApproximateNumberOfMessages: '1' });
  });

  it('refuses a command the pollers never send', async () => {
    const { queueUrl, client } = storeWithQueue();
    await expect(client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x' }))).rejects.toThrow(TypeError);
  });
});
