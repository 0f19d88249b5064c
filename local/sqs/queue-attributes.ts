import { invalidAttributeName, invalidParameter, invalidParameterValue, unsupportedOperation } from './sqs-errors';

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

/** The queue settings SQS lets you configure, already validated and typed. */
export interface QueueSettings {
  visibilityTimeoutSeconds: number;
  delaySeconds: number;
  messageRetentionPeriodSeconds: number;
  maximumMessageSize: number;
  receiveMessageWaitTimeSeconds: number;
  redrivePolicy?: RedrivePolicy;
  /** Attributes SQS stores but this server does not act on (Policy, KMS, ...), kept verbatim. */
  passthrough: Record<string, string>;
}

export const DEFAULT_QUEUE_SETTINGS: Readonly<QueueSettings> = Object.freeze({
  visibilityTimeoutSeconds: 30,
  delaySeconds: 0,
  messageRetentionPeriodSeconds: 345_600,
  maximumMessageSize: 262_144,
  receiveMessageWaitTimeSeconds: 0,
  passthrough: {},
});

interface IntegerRange {
  key:
    | 'visibilityTimeoutSeconds'
    | 'delaySeconds'
    | 'messageRetentionPeriodSeconds'
    | 'maximumMessageSize'
    | 'receiveMessageWaitTimeSeconds';
  min: number;
  max: number;
}

export const INTEGER_ATTRIBUTES: Readonly<Record<string, IntegerRange>> = {
  VisibilityTimeout: { key: 'visibilityTimeoutSeconds', min: 0, max: 43_200 },
  DelaySeconds: { key: 'delaySeconds', min: 0, max: 900 },
  MessageRetentionPeriod: { key: 'messageRetentionPeriodSeconds', min: 60, max: 1_209_600 },
  MaximumMessageSize: { key: 'maximumMessageSize', min: 1_024, max: 1_048_576 },
  ReceiveMessageWaitTimeSeconds: { key: 'receiveMessageWaitTimeSeconds', min: 0, max: 20 },
};

const PASSTHROUGH_ATTRIBUTES = new Set([
  'Policy',
  'RedriveAllowPolicy',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
]);

const FIFO_ATTRIBUTES = new Set(['FifoQueue', 'ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit']);

/** Attributes computed by SQS and readable with GetQueueAttributes. */
export const READ_ONLY_ATTRIBUTES = new Set([
  'QueueArn',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
]);

export function isKnownAttributeName(name: string): boolean {
  return (
    name in INTEGER_ATTRIBUTES ||
    name === 'RedrivePolicy' ||
    PASSTHROUGH_ATTRIBUTES.has(name) ||
    READ_ONLY_ATTRIBUTES.has(name) ||
    FIFO_ATTRIBUTES.has(name)
  );
}

export function parseInteger(name: string, raw: string, min: number, max: number): number {
  const value = /^-?\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw invalidParameter(name, raw, `Must be an integer from ${min} to ${max}.`);
  }
  return value;
}

function parseRedrivePolicy(raw: string, deadLetterQueueExists: (arn: string) => boolean): RedrivePolicy | undefined {
  if (raw.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalidParameter('RedrivePolicy', raw, 'Invalid value for the parameter RedrivePolicy.');
  }
  if (typeof parsed !== 'object' || parsed === null) {
    throw invalidParameter('RedrivePolicy', raw, 'Redrive policy must be a JSON object.');
  }
  const { deadLetterTargetArn, maxReceiveCount } = parsed as Record<string, unknown>;
  if (typeof deadLetterTargetArn !== 'string' || deadLetterTargetArn === '') {
    throw invalidParameter('RedrivePolicy', raw, 'Redrive policy does not contain mandatory attribute: deadLetterTargetArn.');
  }
  if (maxReceiveCount === undefined) {
    throw invalidParameter('RedrivePolicy', raw, 'Redrive policy does not contain mandatory attribute: maxReceiveCount.');
  }
  const count = parseInteger('RedrivePolicy.maxReceiveCount', String(maxReceiveCount), 1, 1_000);
  if (!deadLetterQueueExists(deadLetterTargetArn)) {
    throw invalidParameter('RedrivePolicy', raw, 'Dead letter target does not exist.');
  }
  return { deadLetterTargetArn, maxReceiveCount: count };
}

/**
 * Applies `Attributes` from CreateQueue / SetQueueAttributes on top of `base`, validating
 * each value with SQS's limits and error names.
 */
export function applyQueueAttributes(
  base: QueueSettings,
  attributes: Record<string, string>,
  deadLetterQueueExists: (arn: string) => boolean,
): QueueSettings {
  const next: QueueSettings = { ...base, passthrough: { ...base.passthrough } };
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value !== 'string') {
      throw invalidParameterValue(`Value for attribute ${name} must be a string.`);
    }
    const range = INTEGER_ATTRIBUTES[name];
    if (range) {
      next[range.key] = parseInteger(name, value, range.min, range.max);
    } else if (name === 'RedrivePolicy') {
      const policy = parseRedrivePolicy(value, deadLetterQueueExists);
      if (policy) next.redrivePolicy = policy;
      else delete next.redrivePolicy;
    } else if (PASSTHROUGH_ATTRIBUTES.has(name)) {
      next.passthrough[name] = value;
    } else if (FIFO_ATTRIBUTES.has(name)) {
      if (name === 'FifoQueue' && value.toLowerCase() === 'false') continue;
      throw unsupportedOperation('FIFO queues are not supported by the local SQS server.');
    } else {
      throw invalidAttributeName(name);
    }
  }
  return next;
}

/** The configurable attributes of a queue as SQS reports them (all values are strings). */
export function settingsToAttributes(settings: QueueSettings): Record<string, string> {
  const attributes: Record<string, string> = {
    VisibilityTimeout: String(settings.visibilityTimeoutSeconds),
    DelaySeconds: String(settings.delaySeconds),
    MessageRetentionPeriod: String(settings.messageRetentionPeriodSeconds),
    MaximumMessageSize: String(settings.maximumMessageSize),
    ReceiveMessageWaitTimeSeconds: String(settings.receiveMessageWaitTimeSeconds),
    SqsManagedSseEnabled: 'false',
    ...settings.passthrough,
  };
  if (settings.redrivePolicy) {
    attributes.RedrivePolicy = JSON.stringify(settings.redrivePolicy);
  }
  return attributes;
}
