import { createServer, type Server } from 'node:http';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { sendAwsError } from './aws-error-response';
import { newGatewayId } from './aws-formats';
import type { GatewayFaultHooks } from './gateway-faults';
import type { LambdaHandler } from './lambda-handler';
import { closeServer, hostWithPort, listen } from './listen';
import { handleManagementRequest } from './management-api';
import { ConnectionManager } from './websocket-connection-manager';

export type { LambdaHandler } from './lambda-handler';
export type { WebSocketAuthorizerEvent, WebSocketRouteEvent } from './websocket-events';

export interface WebSocketGatewayRoute {
  routeKey: string;
  handler: LambdaHandler;
  /** True when the handler's result is sent back to the client (a route response). */
  replies: boolean;
}

export interface WebSocketGatewayOptions {
  /** 0 picks an ephemeral port. */
  port: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Clients connect to ws://host:port/<stage>?token=... */
  stage: string;
  /** Default 'local'. */
  apiId?: string;
  /** $connect, $disconnect, $default and the action routes. */
  routes: WebSocketGatewayRoute[];
  authorizer: LambdaHandler<APIGatewayRequestAuthorizerEvent, APIGatewayAuthorizerResult>;
  /** Query string parameter carrying the identity (route.request.querystring.<name>); default 'token'. */
  identitySource?: string;
  /** Default 600_000 (API Gateway's 10 minutes). */
  idleTimeoutMs?: number;
  /** Default 7_200_000 (API Gateway's 2 hours). */
  maxDurationMs?: number;
  /**
   * Default 32 KiB (API Gateway's frame limit). Enforced per message by ws' maxPayload, which is
   * the same thing for browsers and the ws client: neither fragments the messages it sends.
   */
  maxFrameBytes?: number;
  /** Default 128 KiB (the management API's post limit). */
  maxMessageBytes?: number;
  /** Structured log sink; one line per route invocation and per refused connection. */
  logger?: (line: Record<string, unknown>) => void;
  /** Environment variable named in the error when the port is busy, e.g. 'WS_PORT'. */
  portEnvName?: string;
  /** Injected failures for fault testing (dropped $disconnects, failing or slow posts). */
  faults?: GatewayFaultHooks;
}

export interface WebSocketGateway {
  /** ws://<host>:<port>/<stage> */
  readonly url: string;
  /** http://<host>:<port>/<stage>, the management API endpoint for ApiGatewayManagementApiClient. */
  readonly callbackUrl: string;
  readonly port: number;
  /** The HTTP server (the management API; the local stack also serves its own clients with it in memory). */
  readonly server: Server;
  /** Ids of the connections that are open now. */
  connectionIds(): string[];
  /** Drop a connection abruptly (for fault tests): closes the socket, $disconnect still fires. */
  kill(connectionId: string): void;
  /** Closes all sockets (firing $disconnect for each) and stops the server. */
  close(): Promise<void>;
}

/** Emulates an API Gateway WebSocket API, invoking the route handlers in-process. */
export async function startWebSocketGateway(options: WebSocketGatewayOptions): Promise<WebSocketGateway> {
  const host = options.host ?? '127.0.0.1';
  const { stage } = options;
  if (!/^[A-Za-z0-9_-]+$/.test(stage)) throw new Error(`Invalid stage "${stage}": use letters, digits, '-' or '_'`);
  const duplicate = options.routes.find((route, index) => options.routes.findIndex((other) => other.routeKey === route.routeKey) !== index);
  if (duplicate) throw new Error(`Duplicate WebSocket route "${duplicate.routeKey}"`);
  const maxMessageBytes = options.maxMessageBytes ?? 128 * 1024;
  const log = (line: Record<string, unknown>): void => options.logger?.({ source: 'websocket-gateway', ...line });

  const server = createServer();
  const port = await listen(server, options.port, host, options.portEnvName);
  const domainName = hostWithPort(host, port);

  const manager = new ConnectionManager({
    api: { apiId: options.apiId ?? 'local', stage, domainName },
    routes: options.routes,
    authorizer: options.authorizer,
    identitySource: options.identitySource ?? 'token',
    idleTimeoutMs: options.idleTimeoutMs ?? 600_000,
    maxDurationMs: options.maxDurationMs ?? 7_200_000,
    maxFrameBytes: options.maxFrameBytes ?? 32 * 1024,
    log,
    ...(options.faults ? { faults: options.faults } : {}),
  });

  server.on('upgrade', (req, socket, head: Buffer) => {
    manager.handleUpgrade(req, socket, head).catch((error: unknown) => {
      log({ event: 'upgrade-failed', detail: String(error) });
      socket.destroy();
    });
  });
  server.on('request', (req, res) => {
    handleManagementRequest(req, res, manager, { stage, maxMessageBytes, ...(options.faults ? { faults: options.faults } : {}) })
      .then((handled) => {
        if (!handled) sendAwsError(res, 404, 'NotFoundException', 'Not Found', newGatewayId());
      })
      .catch((error: unknown) => {
        log({ event: 'management-api-failed', detail: String(error) });
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      });
  });

  let closed: Promise<void> | undefined;
  return {
    url: `ws://${domainName}/${stage}`,
    callbackUrl: `http://${domainName}/${stage}`,
    port,
    server,
    connectionIds: () => manager.openConnectionIds(),
    kill: (connectionId) => manager.kill(connectionId),
    close: () => {
      closed ??= manager.closeAll().then(() => closeServer(server));
      return closed;
    },
  };
}
