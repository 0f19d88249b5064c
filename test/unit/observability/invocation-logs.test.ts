import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SqsRoutingQueue } from '../../../functions/adapters/sqs/routing-queue';
import { inInvocation, logger, setCorrelationId } from '../../../functions/shared/observability';

/** The JSON log lines Powertools writes to stdout while `run` goes on. */
async function captureLogs(run: () => Promise<void>): Promise<Array<Record<string, unknown>>> {
  const lines: Array<Record<string, unknown>> = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: unknown) => {
    for (const text of String(chunk).split('\n').filter(Boolean)) {
      try {
        lines.push(JSON.parse(text) as Record<string, unknown>);
      } catch {
        // Not a log line.
      }
    }
    return true;
  }) as typeof process.stdout.write);
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return lines;
}

/** Resolves when `open` is called: lets a test interleave two invocations step by step. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('log keys per invocation', () => {
  it('two interleaved invocations in one process never see each other’s keys', async () => {
    const aAppended = gate();
    const bAppended = gate();
    const lines = await captureLogs(async () => {
      await Promise.all([
        inInvocation(undefined, async () => {
          logger.appendKeys({ connectionId: 'conn-a', action: 'message' });
          aAppended.open();
          await bAppended.wait; // B appends its keys while A is still running
          logger.info('a speaks');
        }),
        inInvocation(undefined, async () => {
          await aAppended.wait;
          logger.appendKeys({ connectionId: 'conn-b' });
          bAppended.open();
          logger.info('b speaks');
        }),
      ]);
      // A later invocation (reconcile, say) starts with no key of either.
      await inInvocation(undefined, async () => {
        logger.info('reconcile speaks');
      });
    });
    const byMessage = Object.fromEntries(lines.map((line) => [line.message, line]));
    expect(byMessage['a speaks']).toMatchObject({ connectionId: 'conn-a', action: 'message' });
    expect(byMessage['b speaks']).toMatchObject({ connectionId: 'conn-b' });
    expect(byMessage['b speaks']).not.toHaveProperty('action');
    expect(byMessage['reconcile speaks']).not.toHaveProperty('connectionId');
    expect(byMessage['reconcile speaks']).not.toHaveProperty('action');
  });

  it('keys appended outside any invocation do not leak into one', async () => {
    const lines = await captureLogs(async () => {
      await inInvocation(undefined, async () => {
        setCorrelationId('frame-1');
        logger.info('inside');
      });
      logger.info('outside');
    });
    expect(lines.find((line) => line.message === 'inside')).toMatchObject({ correlationId: 'frame-1' });
    expect(lines.find((line) => line.message === 'outside')).not.toHaveProperty('correlationId');
  });
});

describe('cold start', () => {
  it('only the container’s first invocation logs cold_start true (each invocation has a new child logger)', async () => {
    const context = { functionName: 'f', functionVersion: '1', invokedFunctionArn: 'arn', memoryLimitInMB: '128', awsRequestId: 'r1' };
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
    try {
      const lines = await captureLogs(async () => {
        await inInvocation(context as unknown as Context, async () => logger.info('first'));
        await inInvocation(context as unknown as Context, async () => logger.info('second'));
      });
      expect(lines.map((line) => [line.message, line.cold_start])).toEqual([
        ['first', true],
        ['second', false],
      ]);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('correlation id through SQS', () => {
  it('a routing trigger published inside an invocation carries its correlation id (additive body field)', async () => {
    const sent: Array<{ MessageBody?: string }> = [];
    const sqs = { send: async (command: { input: { MessageBody?: string } }) => sent.push(command.input) } as unknown as SQSClient;
    const queue = new SqsRoutingQueue(sqs, 'https://sqs.local/q');
    await inInvocation(undefined, async () => {
      setCorrelationId('frame-7');
      await queue.publish({ type: 'conversation.queued', conversationId: 'c1' });
    });
    await queue.publish({ type: 'agent.available', agentId: 'a1' });
    expect(sent.map((input) => JSON.parse(input.MessageBody!))).toEqual([
      { type: 'conversation.queued', conversationId: 'c1', correlationId: 'frame-7' },
      { type: 'agent.available', agentId: 'a1' },
    ]);
  });
});
