/**
 * What the local stack may break on purpose, as probabilities (0 = never, 1 = always).
 * Production code never sees these: they act in the emulators and proxies only.
 */
export interface FaultSettings {
  /** A closed connection's $disconnect route is never invoked (its record lingers until TTL). */
  readonly dropDisconnect: number;
  /** A management-API post answers 410 GoneException, and the connection is cut, as if it had just died. */
  readonly postGone: number;
  /** A management-API post answers 429 LimitExceededException (nothing is delivered). */
  readonly postLimitExceeded: number;
  /** A post is held up to `delayMaxMs` before delivery, so concurrent deliveries overtake each other. */
  readonly postDelay: number;
  readonly delayMaxMs: number;
  /** A DynamoDB request answers 400 ThrottlingException or ProvisionedThroughputExceededException. */
  readonly dynamoThrottle: number;
  /** An SQS batch is handed to its consumer twice (at-least-once delivery). */
  readonly sqsDuplicate: number;
  /** Chance per open connection per second of being cut without a close handshake. */
  readonly killPerSecond: number;
  /** A Secrets Manager request answers 500 InternalServiceError (an outage; the SDK retries it). */
  readonly secretsUnavailable: number;
}

export const NO_FAULTS: FaultSettings = {
  dropDisconnect: 0,
  postGone: 0,
  postLimitExceeded: 0,
  postDelay: 0,
  delayMaxMs: 0,
  dynamoThrottle: 0,
  sqsDuplicate: 0,
  killPerSecond: 0,
  secretsUnavailable: 0,
};

/** Flag names (`--faults drop-disconnect=0.2,gone=0.05`) and the settings they set. */
const FLAG_NAMES: Readonly<Record<string, keyof FaultSettings>> = {
  'drop-disconnect': 'dropDisconnect',
  gone: 'postGone',
  'limit-exceeded': 'postLimitExceeded',
  delay: 'postDelay',
  'delay-ms': 'delayMaxMs',
  'dynamo-throttle': 'dynamoThrottle',
  'sqs-duplicate': 'sqsDuplicate',
  kill: 'killPerSecond',
  'secrets-down': 'secretsUnavailable',
};

export const FAULT_FLAG_HELP = Object.keys(FLAG_NAMES).join(', ');

export class FaultSettingsError extends Error {
  override readonly name = 'FaultSettingsError';
}

function checkValue(key: keyof FaultSettings, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new FaultSettingsError(`${key} must be a number`);
  if (key === 'delayMaxMs') {
    if (!Number.isInteger(value) || value < 0 || value > 60_000)
      throw new FaultSettingsError('delayMaxMs must be an integer from 0 to 60000');
  } else if (value < 0 || value > 1) {
    throw new FaultSettingsError(`${key} must be a probability from 0 to 1`);
  }
  return value;
}

/** Validates a partial update (the control endpoint's JSON body); unknown keys are refused. */
export function checkFaultUpdate(input: unknown): Partial<FaultSettings> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new FaultSettingsError('expected a JSON object');
  const update: Partial<Record<keyof FaultSettings, number>> = {};
  for (const [key, value] of Object.entries(input)) {
    if (!(key in NO_FAULTS)) throw new FaultSettingsError(`unknown fault "${key}"; known: ${Object.keys(NO_FAULTS).join(', ')}`);
    update[key as keyof FaultSettings] = checkValue(key as keyof FaultSettings, value);
  }
  return update;
}

/** Parses `name=value,name=value` as given to `npm start -- --faults ...`. */
export function parseFaultFlags(text: string): Partial<FaultSettings> {
  const update: Partial<Record<keyof FaultSettings, number>> = {};
  for (const part of text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const [name, raw, extra] = part.split('=');
    const key = name === undefined ? undefined : FLAG_NAMES[name.trim()];
    if (!key || raw === undefined || extra !== undefined) {
      throw new FaultSettingsError(`cannot read fault "${part}"; use name=value with name one of ${FAULT_FLAG_HELP}`);
    }
    const value = Number(raw);
    if (raw.trim() === '' || Number.isNaN(value)) throw new FaultSettingsError(`fault "${name}" needs a number, not "${raw}"`);
    update[key] = checkValue(key, value);
  }
  return update;
}
