import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { parseTriggerBody } from '../../../functions/handlers/queue/trigger-parsing';
import { handler } from '../../../functions/handlers/queue/router';
import type { DeadLetterQueue, UnroutableTrigger } from '../../../functions/ports/dead-letter-queue';
import { type Wiring, withWiring } from '../../../functions/wiring';

const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:parley-routing';
const FIRST_RECEIVED = Date.UTC(2026, 0, 2, 3, 4, 5);

function record(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(FIRST_RECEIVED - 1000),
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: String(FIRST_RECEIVED),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: 'us-east-1',
  };
}

/** Ports whose every call fails as an unreachable dependency would: a transient failure. */
const unreachablePorts = new Proxy(
  {},
  {
    get: () =>
      new Proxy(
        {},
        {
          get: () => () => {
            throw new Error('dependency unreachable');
          },
        },
      ),
  },
);

function run(records: SQSRecord[], deadLetters?: DeadLetterQueue) {
  const wiring = { ports: unreachablePorts, ...(deadLetters ? { deadLetters } : {}) } as unknown as Wiring;
  const event: SQSEvent = { Records: records };
  return withWiring(wiring, () => handler(event, { functionName: 'router', awsRequestId: 'test' } as Context));
}

function recordingDeadLetters(fail = false): DeadLetterQueue & { parked: UnroutableTrigger[] } {
  const parked: UnroutableTrigger[] = [];
  return {
    parked,
    park: async (trigger) => {
      if (fail) throw new Error('DLQ unreachable');
      parked.push(trigger);
    },
  };
}

describe('routing trigger parsing', () => {
  it.each([
    ['{not json', 'MalformedJson'],
    ['"a string"', 'UnknownTriggerType'],
    ['{"type":"conversation.dropped","conversationId":"c1"}', 'UnknownTriggerType'],
    ['{"conversationId":"c1"}', 'UnknownTriggerType'],
    ['{"type":"conversation.queued"}', 'InvalidTrigger'],
    ['{"type":"agent.left","agentId":"a1","disconnectedAt":"yesterday"}', 'InvalidTrigger'],
  ])('%s can never succeed: %s', (body, errorClass) => {
    const parsed = parseTriggerBody(body);
    expect(parsed).toMatchObject({ permanent: { errorClass } });
  });

  it('accepts every trigger type the routing queue carries', () => {
    expect(parseTriggerBody('{"type":"agent.available","agentId":"a1"}')).toEqual({ trigger: { type: 'agent.available', agentId: 'a1' } });
  });
});

describe('router: triggers that can never succeed', () => {
  it('parks them in the DLQ with the original body and why, and reports them handled', async () => {
    const deadLetters = recordingDeadLetters();
    const response = await run([record('m1', '{not json'), record('m2', '{"type":"nope"}')], deadLetters);
    expect(response.batchItemFailures).toEqual([]);
    expect(deadLetters.parked).toEqual([
      expect.objectContaining({
        body: '{not json',
        errorClass: 'MalformedJson',
        sourceQueueArn: QUEUE_ARN,
        firstReceivedAt: new Date(FIRST_RECEIVED).toISOString(),
        messageId: 'm1',
      }),
      expect.objectContaining({ body: '{"type":"nope"}', errorClass: 'UnknownTriggerType', messageId: 'm2' }),
    ]);
    expect(deadLetters.parked[1]?.errorMessage).toContain('"nope"');
  });

  it('leaves a trigger to SQS retries when parking fails, or when no DLQ is configured', async () => {
    expect((await run([record('m1', '{not json')], recordingDeadLetters(true))).batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect((await run([record('m1', '{not json')])).batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
  });

  it('still retries transient failures through batchItemFailures, and parks only the permanent ones', async () => {
    const deadLetters = recordingDeadLetters();
    const response = await run([record('ok', '{"type":"conversation.queued","conversationId":"c1"}'), record('bad', '[]')], deadLetters);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'ok' }]);
    expect(deadLetters.parked.map((parked) => parked.messageId)).toEqual(['bad']);
  });
});
