import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../../functions/domain/domain-events';
import { handler, parseEventBody } from '../../../functions/handlers/queue/events';
import type { DomainEventSink } from '../../../functions/ports/domain-events';
import { type Wiring, withWiring } from '../../../functions/wiring';

const started = (id: string): DomainEvent => ({
  id,
  type: 'conversation.started',
  at: '2026-03-01T10:00:00.000Z',
  conversationId: 'c1',
  skill: 'tech',
  customerId: 'guest:1',
  status: 'queued',
});

function record(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'local', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:parley-events',
    awsRegion: 'us-east-1',
  };
}

/**
 * The consumer with the given extra sinks. The registered sinks find nothing to do: reports
 * finds every event counted already, search finds no stored conversation (no store needed).
 */
function run(records: SQSRecord[], sinks: DomainEventSink[]) {
  const ports = {
    reports: { claimEvent: async () => false },
    conversations: { get: async () => undefined },
    clock: { now: () => new Date() },
    log: console,
    // No RETENTION_DAYS: no retention sink.
    settings: {},
  };
  const wiring = { ports, extraEventSinks: sinks } as unknown as Wiring;
  const event: SQSEvent = { Records: records };
  return withWiring(wiring, () => handler(event, { functionName: 'events', awsRequestId: 'test' } as Context));
}

describe('the events consumer', () => {
  it('parses events and drops what no sink can use', () => {
    expect(parseEventBody(JSON.stringify(started('e1')))).toMatchObject({ id: 'e1', type: 'conversation.started' });
    expect(parseEventBody('{not json')).toBeUndefined();
    expect(parseEventBody(JSON.stringify({ ...started('e1'), type: 'conversation.teleported' }))).toBeUndefined();
    expect(parseEventBody(JSON.stringify({ ...started(''), id: '' }))).toBeUndefined();
    expect(parseEventBody('"text"')).toBeUndefined();
  });

  it('runs every sink on every record and reports only the records a sink failed on', async () => {
    const seen: string[] = [];
    const recorder: DomainEventSink = { name: 'recorder', handle: async (event) => void seen.push(event.id) };
    const flaky: DomainEventSink = {
      name: 'flaky',
      handle: async (event) => {
        if (event.id === 'e2') throw new Error('transient');
      },
    };
    const result = await run(
      [record('m1', JSON.stringify(started('e1'))), record('m2', JSON.stringify(started('e2'))), record('m3', '{not json')],
      [recorder, flaky],
    );
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }]);
    // The failing sink did not stop the other sink on the same event.
    expect(seen.sort()).toEqual(['e1', 'e2']);
  });
});
