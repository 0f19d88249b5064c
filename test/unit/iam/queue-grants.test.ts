import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import type { Needs } from '../../../functions/routes';
import { currentEntry, runAsEntry } from '../../../local/iam/entry-scope';
import { enforceQueueGrants, LocalQueueAccessDeniedError } from '../../../local/iam/queue-grant-checker';

describe('the local stack refuses sends to queues a function’s needs do not grant', () => {
  const ROUTING = 'http://127.0.0.1:9/000000000000/parley-routing';
  const EVENTS = 'http://127.0.0.1:9/000000000000/parley-events';
  const needs: Record<string, Needs> = { sync: { table: 'read', connections: true }, heartbeat: { routingQueue: true } };
  // Nothing listens on port 9: a send that passes the check fails to connect instead.
  const client = new SQSClient({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const denied: LocalQueueAccessDeniedError[] = [];
  enforceQueueGrants(client, {
    currentEntry,
    needsOf: (name) => needs[name]!,
    sendNeedByQueueUrl: new Map([
      [ROUTING, 'routingQueue'],
      [EVENTS, 'events'],
    ]),
    onDenied: (error) => denied.push(error),
  });
  const outcome = (entry: string, work: () => Promise<unknown>) =>
    runAsEntry(entry, work).then(
      () => undefined,
      (error: unknown) => error,
    );
  const send = (queueUrl: string) => () => client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{}' }));
  const sendBatch = (queueUrl: string) => () =>
    client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [{ Id: '1', MessageBody: '{}' }] }));

  it('with AccessDeniedException for a queue the needs leave out, or one no need grants', async () => {
    for (const [entry, attempt] of [
      ['sync', send(ROUTING)],
      ['sync', sendBatch(ROUTING)],
      ['heartbeat', sendBatch(EVENTS)],
      ['heartbeat', send('http://127.0.0.1:9/000000000000/elsewhere')],
    ] as const) {
      const error = await outcome(entry, attempt);
      expect(error).toBeInstanceOf(LocalQueueAccessDeniedError);
      expect((error as Error).name).toBe('AccessDeniedException');
    }
    expect(denied.map((error) => `${error.entryName} ${error.queueUrl.split('/').pop()}`)).toEqual([
      'sync parley-routing',
      'sync parley-routing',
      'heartbeat parley-events',
      'heartbeat elsewhere',
    ]);
  });

  it('lets granted sends through (they reach the network), and does not check outside invocations', async () => {
    denied.length = 0;
    const allowed = await outcome('heartbeat', send(ROUTING));
    expect(allowed).not.toBeInstanceOf(LocalQueueAccessDeniedError);
    expect(allowed).toBeInstanceOf(Error);
    const outside = await send(EVENTS)().catch((error: unknown) => error);
    expect(outside).not.toBeInstanceOf(LocalQueueAccessDeniedError);
    expect(denied).toEqual([]);
  });
});
