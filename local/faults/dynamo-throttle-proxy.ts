import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaultInjector } from './fault-injector';

export interface DynamoThrottleProxy {
  readonly endpoint: string;
  close(): Promise<void>;
}

const THROTTLING_ERRORS = [
  { type: 'ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' },
  { type: 'ProvisionedThroughputExceededException', message: 'The level of configured provisioned throughput for the table was exceeded.' },
] as const;

/** Answers as DynamoDB does when it throttles: HTTP 400 with the error name in `__type`. */
function throttle(res: ServerResponse, faults: FaultInjector): void {
  const error = THROTTLING_ERRORS[faults.pickIndex(THROTTLING_ERRORS.length)] ?? THROTTLING_ERRORS[0];
  const body = JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${error.type}`, message: error.message });
  res.writeHead(400, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': String(Buffer.byteLength(body)),
    'x-amzn-requestid': `throttled-${Date.now().toString(36)}`,
  });
  res.end(body);
}

function forward(req: IncomingMessage, res: ServerResponse, target: URL): void {
  const upstream = request(
    { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
    (reply) => {
      res.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(upstream);
}

/**
 * A pass-through proxy in front of dynalite that throttles a share of requests. The handlers'
 * DynamoDB client points at it, so throttling exercises the SDK's real retry path.
 */
export async function startDynamoThrottleProxy(dynamoEndpoint: string, faults: FaultInjector): Promise<DynamoThrottleProxy> {
  const target = new URL(dynamoEndpoint);
  const server = createServer((req, res) => {
    if (!faults.throttleDynamo()) {
      forward(req, res, target);
      return;
    }
    // Read the request fully first, as a real endpoint would, so keep-alive sockets stay usable.
    req.resume();
    req.on('end', () => throttle(res, faults));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, target.hostname, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${target.hostname}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
