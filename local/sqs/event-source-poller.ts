import type { Message } from '@aws-sdk/client-sqs';
import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { HandlerOutcome } from './batch-outcome';
import { recordsToDelete } from './batch-outcome';
import { createDefaultLambdaContext } from './default-lambda-context';
import { toSqsRecord } from './sqs-event-records';
import type { PollingClient } from './store-client';

export interface EventSourcePollerOptions {
  /** An SQS client for the queue's endpoint, or (the local stack's own endpoint) a StoreClient on its store. */
  client: PollingClient;
  queueUrl: string;
  queueArn: string;
  // biome-ignore lint/suspicious/noConfusingVoidType: a Lambda without partial batch responses returns nothing.
  handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;
  /**
   * Records per invocation; default 10. As on AWS for a standard queue: 1-10, or up to 10,000
   * with a batching window of at least a second (gathered from several receives of 10).
   */
  batchSize?: number;
  /** How long to keep gathering records for a fuller batch; default 0. */
  maxBatchingWindowMs?: number;
  /** Default true. */
  reportBatchItemFailures?: boolean;
  /**
   * Invocations at once (the event source mapping's maximum concurrency); default 2. Each is
   * a poller of its own that receives its next batch only once its invocation returned.
   */
  concurrency?: number;
  /** Long-poll wait per receive; default 1 so stop() is quick. */
  waitTimeSeconds?: number;
  /** Name given to the handler's context; defaults to `<queue name>-consumer`. */
  functionName?: string;
  createContext?: (functionName: string) => Context;
  onError?: (error: unknown) => void;
  /** Fault testing: true to hand a batch to the handler an extra time, as SQS's at-least-once delivery may. */
  redeliver?: () => boolean;
}

export interface EventSourcePoller {
  /** Stops polling and resolves once in-flight batches have been handled and acknowledged. */
  stop(): Promise<void>;
}

const RECEIVE_ERROR_BACKOFF_MS = 500;
/** SQS's most messages per ReceiveMessage. */
const MAX_RECEIVE = 10;
/** Lambda's most records per SQS batch of a standard queue (more than 10 needs a batching window of a second). */
const MAX_BATCH_SIZE = 10_000;
const BATCH_WINDOW_POLL_MS = 20;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function checkInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}; got ${value}.`);
  }
  return value;
}

/**
 * Polls an SQS queue and invokes `handler` with Lambda-shaped SQS events, deleting what
 * Lambda's SQS event source mapping would delete (see recordsToDelete). Works against any
 * SQS endpoint the client points at.
 */
export function startEventSourcePoller(options: EventSourcePollerOptions): EventSourcePoller {
  const batchingWindowMs = checkInteger('maxBatchingWindowMs', options.maxBatchingWindowMs ?? 0, 0, 300_000);
  // AWS refuses a batch above 10 without a batching window of at least a second.
  const batchSize = checkInteger('batchSize', options.batchSize ?? 10, 1, batchingWindowMs >= 1000 ? MAX_BATCH_SIZE : MAX_RECEIVE);
  const concurrency = checkInteger('concurrency', options.concurrency ?? 2, 1, 1000);
  const waitTimeSeconds = checkInteger('waitTimeSeconds', options.waitTimeSeconds ?? 1, 0, 20);
  const reportBatchItemFailures = options.reportBatchItemFailures ?? true;
  const functionName = options.functionName ?? `${options.queueArn.split(':').at(-1) ?? 'queue'}-consumer`;
  const createContext = options.createContext ?? createDefaultLambdaContext;
  const onError = options.onError ?? ((error: unknown) => console.error(`[event-source-poller ${options.queueArn}]`, error));
  const awsRegion = options.queueArn.split(':')[3] ?? 'us-east-1';
  const { client, queueUrl } = options;
  const stopping = new AbortController();

  async function receive(max: number, waitSeconds: number): Promise<Message[]> {
    const output = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: stopping.signal },
    );
    return output.Messages ?? [];
  }

  /** One receive, then (with a batching window) more until the batch is full or the window ends. */
  async function receiveBatch(): Promise<Message[]> {
    const batch = await receive(Math.min(MAX_RECEIVE, batchSize), waitTimeSeconds);
    if (batchingWindowMs === 0 || batch.length === 0) return batch;
    const deadline = Date.now() + batchingWindowMs;
    while (batch.length < batchSize && !stopping.signal.aborted) {
      const remainingMs = deadline - Date.now();
      if (remainingMs <= 0) break;
      let more: Message[];
      try {
        more = await receive(Math.min(MAX_RECEIVE, batchSize - batch.length), Math.min(20, Math.floor(remainingMs / 1000)));
      } catch (error) {
        // Keep what was gathered: it is handled, or released if we are stopping.
        if (!stopping.signal.aborted) onError(error);
        break;
      }
      batch.push(...more);
      if (more.length === 0 && remainingMs < 1000) await sleep(Math.min(remainingMs, BATCH_WINDOW_POLL_MS));
    }
    return batch;
  }

  async function acknowledge(messages: readonly { Id: string; ReceiptHandle: string }[], visibility?: number): Promise<void> {
    for (let start = 0; start < messages.length; start += 10) {
      const entries = messages.slice(start, start + 10);
      try {
        const output =
          visibility === undefined
            ? await client.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }))
            : await client.send(
                new ChangeMessageVisibilityBatchCommand({
                  QueueUrl: queueUrl,
                  Entries: entries.map((entry) => ({ ...entry, VisibilityTimeout: visibility })),
                }),
              );
        if (output.Failed && output.Failed.length > 0) {
          onError(new Error(`SQS batch acknowledgement failed for ${output.Failed.map((f) => `${f.Id}: ${f.Code}`).join(', ')}`));
        }
      } catch (error) {
        onError(error);
      }
    }
  }

  async function processBatch(messages: readonly Message[]): Promise<void> {
    const records = messages.map((message) => toSqsRecord(message, { queueArn: options.queueArn, awsRegion }));
    if (options.redeliver?.()) {
      // The extra delivery's outcome deletes nothing: only the regular one below decides that.
      try {
        await options.handler({ Records: records }, createContext(functionName));
      } catch (error) {
        onError(error);
      }
    }
    let outcome: HandlerOutcome;
    try {
      outcome = { kind: 'returned', value: await options.handler({ Records: records }, createContext(functionName)) };
    } catch (error) {
      outcome = { kind: 'threw', error };
      onError(error);
    }
    const deletions = recordsToDelete(records, outcome, reportBatchItemFailures);
    await acknowledge(deletions.map((record) => ({ Id: record.messageId, ReceiptHandle: record.receiptHandle })));
  }

  /** Invocations running now, each acknowledged when it ends. */
  const inFlight = new Set<Promise<void>>();

  /** Resolves once fewer than `concurrency` invocations run. */
  async function freeSlot(): Promise<void> {
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
  }

  /**
   * One gatherer fills batches (up to batchSize within the batching window) and hands each to
   * an invocation of its own, up to `concurrency` at once; it receives nothing while every slot
   * is taken, so no message is hidden waiting for one. A burst therefore makes a few full
   * batches, and a backlog the handler cannot keep up with runs `concurrency` invocations at once.
   */
  async function pollLoop(): Promise<void> {
    while (!stopping.signal.aborted) {
      await freeSlot();
      if (stopping.signal.aborted) return;
      let messages: Message[];
      try {
        messages = await receiveBatch();
      } catch (error) {
        if (stopping.signal.aborted) return;
        onError(error);
        await sleep(RECEIVE_ERROR_BACKOFF_MS);
        continue;
      }
      if (messages.length === 0) continue;
      if (stopping.signal.aborted) {
        // Received while stopping: hand the messages straight back instead of hiding them.
        await acknowledge(
          messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
          0,
        );
        return;
      }
      const invocation: Promise<void> = processBatch(messages)
        .catch(onError)
        .finally(() => inFlight.delete(invocation));
      inFlight.add(invocation);
    }
  }

  const gatherer = pollLoop();
  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= (async () => {
        stopping.abort();
        await gatherer;
        while (inFlight.size > 0) await Promise.all(inFlight);
      })();
      return stopped;
    },
  };
}
