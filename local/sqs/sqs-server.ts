import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, sendJson, urlHostFor } from './http-json';
import type { OperationContext } from './message-operations';
import { messageOperations } from './message-operations';
import { queueOperations } from './queue-operations';
import { QueueStore } from './queue-store';
import type { JsonObject } from './request-input';
import { isJsonObject } from './request-input';
import { SqsError } from './sqs-errors';

export interface SqsServer {
  readonly endpoint: string;
  readonly port: number;
  readonly store: QueueStore;
  /** The HTTP server behind the endpoint (the local stack also serves its own clients with it in memory). */
  readonly server: Server;
  close(): Promise<void>;
}

export interface SqsServerOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  region?: string;
  accountId?: string;
  /** The clock for delays, visibility and retention (epoch ms); tests inject one. Default Date.now. */
  now?: () => number;
}

type Operation = (store: QueueStore, input: JsonObject, context: OperationContext) => unknown;

const OPERATIONS: Readonly<Record<string, Operation>> = { ...queueOperations, ...messageOperations };
const TARGET_PREFIX = 'AmazonSQS.';
const CONTENT_TYPE = 'application/x-amz-json-1.0';
const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

function errorResponse(response: ServerResponse, error: SqsError, requestId: string): void {
  sendJson(
    response,
    error.httpStatus,
    { __type: `com.amazonaws.sqs#${error.type}`, message: error.message },
    {
      'content-type': CONTENT_TYPE,
      'x-amzn-requestid': requestId,
      'x-amzn-query-error': `${error.queryCode};${error.senderFault ? 'Sender' : 'Receiver'}`,
    },
  );
}

async function handle(store: QueueStore, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const requestId = randomUUID();
  // A client that disconnects mid long-poll must not be handed (and lose) messages.
  const disconnected = new AbortController();
  response.on('close', () => {
    if (!response.writableFinished) disconnected.abort();
  });
  try {
    if (request.method !== 'POST') {
      throw new SqsError('InvalidAction', `Method ${request.method ?? ''} is not supported; use POST with X-Amz-Target.`, 405);
    }
    const target = request.headers['x-amz-target'];
    const operationName = typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
    const operation = operationName ? OPERATIONS[operationName] : undefined;
    if (!operation) {
      throw new SqsError('UnknownOperationException', `Unknown or unsupported operation: ${String(target)}.`);
    }
    const raw = await readBody(request, MAX_REQUEST_BYTES);
    let input: unknown;
    try {
      input = raw.trim() === '' ? {} : JSON.parse(raw);
    } catch {
      throw new SqsError('SerializationException', 'The request body is not valid JSON.');
    }
    if (!isJsonObject(input)) throw new SqsError('SerializationException', 'The request body must be a JSON object.');
    const output = await operation(store, input, { signal: disconnected.signal });
    sendJson(response, 200, output, { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': requestId });
  } catch (error) {
    if (error instanceof SqsError) {
      errorResponse(response, error, requestId);
    } else if (error instanceof RangeError) {
      errorResponse(response, new SqsError('RequestEntityTooLarge', error.message, 413), requestId);
    } else {
      const message = error instanceof Error ? error.message : String(error);
      errorResponse(response, new SqsError('InternalFailure', message, 500, 'InternalFailure', false), requestId);
    }
  }
}

/** Starts a local SQS endpoint speaking the AWS JSON 1.0 protocol of `@aws-sdk/client-sqs`. */
export function startSqsServer(options: SqsServerOptions): Promise<SqsServer> {
  const host = options.host ?? '127.0.0.1';
  let store: QueueStore | undefined;
  const server = createServer((request, response) => {
    if (!store) {
      sendJson(response, 503, { __type: 'ServiceUnavailable', message: 'Starting.' });
      return;
    }
    void handle(store, request, response);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      const endpoint = `http://${urlHostFor(host)}:${port}`;
      const queueStore = new QueueStore({
        region: options.region ?? 'us-east-1',
        accountId: options.accountId ?? '000000000000',
        baseUrl: endpoint,
        ...(options.now ? { now: options.now } : {}),
      });
      store = queueStore;
      resolve({
        endpoint,
        port,
        store: queueStore,
        server,
        close: () =>
          new Promise<void>((done, fail) => {
            queueStore.close();
            server.close((error) => (error ? fail(error) : done()));
            server.closeAllConnections();
          }),
      });
    });
  });
}
