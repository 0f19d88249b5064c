import {
  DeleteConnectionCommand,
  GoneException,
  PostToConnectionCommand,
  type ApiGatewayManagementApiClient,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { ConnectionNotifier, DeliveryResult } from '../../ports/connection-notifier';
import { DependencyError } from '../../ports/errors';
import type { ServerFrame } from '../../protocol/server-frames';

export class ConnectionsApiError extends DependencyError {
  override readonly name = 'ConnectionsApiError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('apigateway-management', message, options);
  }
}

/** How the notifier retries when API Gateway throttles it. */
export interface ThrottleRetryPolicy {
  /** Calls to the SDK per operation, the first included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
}

/**
 * The SDK's standard retry mode already makes 3 attempts on a throttling error (its list
 * includes LimitExceededException and any 429). A fan-out burst can outlast that, and a
 * dropped live frame costs the recipient a sync, so each SDK call that still ends throttled
 * is retried here with full-jitter backoff: at most `attempts` SDK calls per frame.
 */
export const DEFAULT_THROTTLE_RETRY: ThrottleRetryPolicy = {
  attempts: 4,
  baseDelayMs: 50,
  maxDelayMs: 1_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

const THROTTLING_ERROR_NAMES = new Set(['LimitExceededException', 'ThrottlingException', 'TooManyRequestsException']);

export function isThrottlingError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return THROTTLING_ERROR_NAMES.has(error.name) || status === 429;
}

const encoder = new TextEncoder();

/** Pushes frames through the API Gateway management API (@connections). */
export class ManagementApiNotifier implements ConnectionNotifier {
  private readonly retry: ThrottleRetryPolicy;

  constructor(
    private readonly client: ApiGatewayManagementApiClient,
    retry: Partial<ThrottleRetryPolicy> = {},
  ) {
    this.retry = { ...DEFAULT_THROTTLE_RETRY, ...retry };
  }

  async send(connectionId: string, frame: ServerFrame): Promise<DeliveryResult> {
    const data = encoder.encode(JSON.stringify(frame));
    try {
      await this.withThrottleRetry(() => this.client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data })));
      return 'sent';
    } catch (error) {
      // Gone means that connection only: the caller removes its record, nobody else's.
      if (error instanceof GoneException) return 'gone';
      throw new ConnectionsApiError(`Could not post ${frame.type} to ${connectionId}`, { cause: error });
    }
  }

  async disconnect(connectionId: string): Promise<void> {
    try {
      await this.withThrottleRetry(() => this.client.send(new DeleteConnectionCommand({ ConnectionId: connectionId })));
    } catch (error) {
      if (error instanceof GoneException) return;
      throw new ConnectionsApiError(`Could not close ${connectionId}`, { cause: error });
    }
  }

  private async withThrottleRetry<T>(call: () => Promise<T>): Promise<T> {
    const { attempts, baseDelayMs, maxDelayMs, sleep, random } = this.retry;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await call();
      } catch (error) {
        if (attempt >= attempts || !isThrottlingError(error)) throw error;
        await sleep(Math.floor(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1))));
      }
    }
  }
}
