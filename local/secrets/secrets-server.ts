import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, sendJson, urlHostFor } from '../sqs/http-json';
import { SecretStore } from './secret-store';
import { SecretsManagerError } from './secrets-errors';
import { secretsOperations } from './secrets-operations';

export interface SecretsServer {
  readonly endpoint: string;
  readonly port: number;
  readonly store: SecretStore;
  /** The HTTP server behind the endpoint (the local stack also serves its own clients with it in memory). */
  readonly server: Server;
  /** The ARN of an existing secret (ARNs carry a random suffix, so tests need to ask). */
  arnOf(name: string): string;
  close(): Promise<void>;
}

export interface SecretsServerOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  region?: string;
  /** Secrets to create at start: name -> SecretString. */
  secrets?: Record<string, string>;
  /** Fault injection: true answers the request 500 InternalServiceError (local/faults). */
  fail?: () => boolean;
}

const TARGET_PREFIX = 'secretsmanager.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';
const MAX_REQUEST_BYTES = 1024 * 1024;
const ACCOUNT_ID = '000000000000';

async function handle(store: SecretStore, request: IncomingMessage, response: ServerResponse, fail?: () => boolean): Promise<void> {
  const headers = { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': randomUUID() };
  try {
    if (fail?.()) throw new SecretsManagerError('InternalServiceError', 'Injected fault: Secrets Manager is unavailable.', 500);
    const target = request.headers['x-amz-target'];
    const operationName = typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    const operation = Object.hasOwn(secretsOperations, operationName) ? secretsOperations[operationName] : undefined;
    if (request.method !== 'POST' || !operation) {
      throw new SecretsManagerError('UnknownOperationException', `Unsupported operation: ${String(target)}.`);
    }
    const raw = await readBody(request, MAX_REQUEST_BYTES);
    let input: unknown;
    try {
      input = raw.trim() === '' ? {} : JSON.parse(raw);
    } catch {
      throw new SecretsManagerError('SerializationException', 'The request body is not valid JSON.');
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new SecretsManagerError('SerializationException', 'The request body must be a JSON object.');
    }
    sendJson(response, 200, operation(store, input as Record<string, unknown>), headers);
  } catch (error) {
    const failure =
      error instanceof SecretsManagerError
        ? error
        : error instanceof RangeError
          ? new SecretsManagerError('RequestEntityTooLarge', error.message, 413)
          : new SecretsManagerError('InternalServiceError', error instanceof Error ? error.message : String(error), 500);
    sendJson(response, failure.httpStatus, { __type: failure.type, Message: failure.message }, headers);
  }
}

/** Starts a local Secrets Manager endpoint speaking the AWS JSON 1.1 protocol. */
export function startSecretsServer(options: SecretsServerOptions): Promise<SecretsServer> {
  const host = options.host ?? '127.0.0.1';
  const store = new SecretStore(options.region ?? 'us-east-1', ACCOUNT_ID);
  for (const [name, value] of Object.entries(options.secrets ?? {})) store.create({ name, secretString: value });
  const server = createServer((request, response) => void handle(store, request, response, options.fail));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      resolve({
        endpoint: `http://${urlHostFor(host)}:${port}`,
        port,
        store,
        server,
        arnOf: (name) => store.resolve(name).arn,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()));
            server.closeAllConnections();
          }),
      });
    });
  });
}
