import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { parseArgs } from 'node:util';
import { ROUTING_QUEUE_SETTINGS } from '../lib/routing-queue-settings';
import { inspectDeadLetters, redriveDeadLetters } from './redrive/dead-letters';

/** Where `npm start` serves SQS (SQS_PORT there too). */
const LOCAL_SQS_ENDPOINT = `http://127.0.0.1:${process.env.SQS_PORT || '3002'}`;

const USAGE = `Usage: npm run redrive -- [--dry-run] [--max N] [--sample N]
                          [--endpoint URL | --queue-url URL --dlq-url URL [--region REGION]]

Lists the routing dead-letter queue (count, oldest, a sample of reasons) and moves its
messages back to the routing queue: each is sent first and deleted from the DLQ only after
the send succeeded. Fix the cause first (docs/operations.md, "DLQ not empty").

  --dry-run          only list; move nothing
  --max N            move at most N messages
  --sample N         how many messages to show (default 10)
  --endpoint URL     an SQS endpoint (default: npm start's, ${LOCAL_SQS_ENDPOINT}); the queues
                     are found by name (${ROUTING_QUEUE_SETTINGS.queueName}, ${ROUTING_QUEUE_SETTINGS.deadLetterQueueName})
  --queue-url URL    the routing queue (AWS: stack output RoutingQueueUrl)
  --dlq-url URL      its dead-letter queue (AWS: stack output DeadLetterQueueUrl)
  --region REGION    AWS region (default: from the queue URL, else the SDK's)

With --queue-url and --dlq-url (or PARLEY_ROUTING_QUEUE_URL and PARLEY_DLQ_URL) and no
--endpoint it talks to AWS with the SDK's usual credentials (AWS_PROFILE, environment, SSO).`;

const ARG_OPTIONS = {
  'dry-run': { type: 'boolean', default: false },
  max: { type: 'string' },
  sample: { type: 'string' },
  endpoint: { type: 'string' },
  'queue-url': { type: 'string' },
  'dlq-url': { type: 'string' },
  region: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function positiveInteger(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, not "${raw}"`);
  return value;
}

/** us-east-1 from https://sqs.us-east-1.amazonaws.com/123456789012/name */
const regionOf = (queueUrl: string) => /sqs[.-]([a-z0-9-]+)\.amazonaws\.com/.exec(queueUrl)?.[1];

async function main(): Promise<number> {
  let args: ReturnType<typeof parseArgs<{ options: typeof ARG_OPTIONS }>>['values'];
  try {
    args = parseArgs({ options: ARG_OPTIONS }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const max = positiveInteger('max', args.max);
  const sampleSize = positiveInteger('sample', args.sample) ?? 10;
  const queueUrl = args['queue-url'] ?? process.env.PARLEY_ROUTING_QUEUE_URL;
  const deadLetterQueueUrl = args['dlq-url'] ?? process.env.PARLEY_DLQ_URL;
  if ((queueUrl === undefined) !== (deadLetterQueueUrl === undefined)) {
    console.error(`Give both --queue-url and --dlq-url, or neither (the local stack).\n\n${USAGE}`);
    return 2;
  }
  // The SDK's notice about future Node versions is noise in an operator's command.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const endpoint = args.endpoint ?? (queueUrl === undefined ? LOCAL_SQS_ENDPOINT : undefined);
  const region = args.region ?? (queueUrl ? regionOf(queueUrl) : undefined) ?? process.env.AWS_REGION ?? 'us-east-1';
  const client = new SQSClient({
    region,
    // The local endpoint takes any credentials; AWS gets the SDK's own chain.
    ...(endpoint ? { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  try {
    const urlOf = async (name: string) => (await client.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl!;
    const target = queueUrl ?? (await urlOf(ROUTING_QUEUE_SETTINGS.queueName));
    const source = deadLetterQueueUrl ?? (await urlOf(ROUTING_QUEUE_SETTINGS.deadLetterQueueName));

    const report = await inspectDeadLetters(client, source, sampleSize);
    console.log(`Dead-letter queue ${source}`);
    console.log(`  ${report.visible} waiting, ${report.inFlight} in flight, ${report.delayed} delayed`);
    if (report.oldestSampled) console.log(`  oldest sampled: sent ${report.oldestSampled}`);
    for (const message of report.sample) {
      console.log(`  - ${message.messageId} (sent ${message.sentAt ?? '?'}): ${message.reason}\n      ${message.body.slice(0, 200)}`);
    }
    if (args['dry-run']) {
      console.log(`Dry run: would move ${max === undefined ? 'them all' : `up to ${max}`} to ${target}.`);
      return 0;
    }
    const outcome = await redriveDeadLetters(client, { deadLetterQueueUrl: source, targetQueueUrl: target, ...(max ? { max } : {}) });
    console.log(
      `Moved ${outcome.moved} to ${target}` +
        (outcome.sendFailures ? `; ${outcome.sendFailures} could not be sent (still in the DLQ)` : '') +
        (outcome.deleteFailures ? `; ${outcome.deleteFailures} sent but not deleted (delivered twice)` : '') +
        '.',
    );
    return outcome.sendFailures > 0 ? 1 : 0;
  } finally {
    client.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`redrive failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
