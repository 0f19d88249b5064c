import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { refuseUpgrade } from './aws-error-response';
import type { GatewayFaultHooks } from './gateway-faults';
import { newGatewayId } from './aws-formats';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './lambda-context';
import { describeError, invokeLambda, type LambdaHandler } from './lambda-handler';
import { authorizeConnect, type AuthorizerHandler } from './websocket-authorization';
import { GatewayConnection, type CloseStatus } from './websocket-connection';
import { authorizerEvent, connectEvent, disconnectEvent, handshakeRequest, messageEvent, type ApiIdentity } from './websocket-events';
import { routeResponseBody, selectRoute } from './websocket-route-selection';

export interface ManagedRoute {
  readonly routeKey: string;
  readonly handler: LambdaHandler;
  readonly replies: boolean;
}

export interface ConnectionManagerSettings {
  readonly api: ApiIdentity;
  readonly routes: readonly ManagedRoute[];
  readonly authorizer: AuthorizerHandler;
  readonly identitySource: string;
  readonly idleTimeoutMs: number;
  readonly maxDurationMs: number;
  readonly maxFrameBytes: number;
  readonly log: (line: Record<string, unknown>) => void;
  readonly faults?: GatewayFaultHooks;
}

/** What the management API may see of a connection. */
export interface ConnectionView {
  readonly connectedAt: number;
  readonly lastActiveAt: number;
  readonly sourceIp: string;
  readonly userAgent: string;
}

/** Whether a management API operation found its connection open. */
export type ManagementOutcome = 'done' | 'gone';

const GOING_AWAY: CloseStatus = { code: 1001, reason: 'Going away' };
const DELETED: CloseStatus = { code: 1000, reason: '' };
const MESSAGE_TOO_BIG: CloseStatus = { code: 1009, reason: 'Message too big' };
const PROTOCOL_ERROR: CloseStatus = { code: 1002, reason: 'Protocol error' };
/** How long a client gets to answer a close frame before the socket is cut. */
const CLOSE_HANDSHAKE_GRACE_MS = 2_000;

const functionNameFor = (routeKey: string): string => `ws-${routeKey.replace(/[^A-Za-z0-9_-]/g, '') || 'route'}`;

/** API Gateway answers a $connect by the integration's statusCode; no statusCode means success. */
function connectStatus(result: unknown): number {
  if (typeof result === 'object' && result !== null) {
    const { statusCode } = result as { statusCode?: unknown };
    if (typeof statusCode === 'number') return statusCode;
  }
  return 200;
}

const frameBuffer = (data: RawData): Buffer =>
  Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);

const normaliseIp = (address: string | undefined): string => (address ?? '127.0.0.1').replace(/^::ffff:/, '');

/**
 * Owns every WebSocket connection: the $connect handshake (authorizer, then $connect route),
 * frame routing, timeouts and the single $disconnect each accepted connection is owed.
 */
export class ConnectionManager {
  private readonly connections = new Map<string, GatewayConnection>();
  /** Closed sockets whose $disconnect has not finished yet: a shutdown waits for them too. */
  private readonly settling = new Set<GatewayConnection>();
  private readonly routes: ReadonlyMap<string, ManagedRoute>;
  private readonly routeKeys: ReadonlySet<string>;
  private readonly methodArn: string;
  private readonly webSocketServer: WebSocketServer;
  private closing = false;

  constructor(private readonly settings: ConnectionManagerSettings) {
    this.routes = new Map(settings.routes.map((route) => [route.routeKey, route]));
    this.routeKeys = new Set(this.routes.keys());
    const { apiId, stage } = settings.api;
    this.methodArn = `arn:aws:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:${apiId}/${stage}/$connect`;
    // ws enforces the frame limit itself: an oversized frame closes the socket with 1009.
    this.webSocketServer = new WebSocketServer({ noServer: true, maxPayload: settings.maxFrameBytes });
  }

  openConnectionIds(): string[] {
    return [...this.connections.values()].filter((connection) => connection.state === 'open').map((c) => c.connectionId);
  }

  /** Only fully opened connections are visible; connecting and closing ones are gone, as on AWS. */
  view(connectionId: string): ConnectionView | undefined {
    const connection = this.connections.get(connectionId);
    return connection?.state === 'open' ? connection : undefined;
  }

  post(connectionId: string, data: Buffer): ManagementOutcome {
    const connection = this.connections.get(connectionId);
    const socket = connection?.socket;
    if (connection?.state !== 'open' || socket?.readyState !== WebSocket.OPEN) return 'gone';
    // API Gateway delivers management API posts as text frames.
    socket.send(data, { binary: false });
    return 'done';
  }

  /** Management API DELETE: a normal close; $disconnect follows once the socket is closed. */
  disconnect(connectionId: string): ManagementOutcome {
    const connection = this.connections.get(connectionId);
    if (connection?.state !== 'open') return 'gone';
    this.closeSocket(connection, DELETED);
    return 'done';
  }

  /** Drops the TCP connection without a close handshake, as a network failure would. */
  kill(connectionId: string): void {
    const connection = this.connections.get(connectionId);
    if (connection?.state === 'open' || connection?.state === 'closing') connection.socket?.terminate();
  }

  /** Closes every socket and waits until each accepted connection's $disconnect has run. */
  async closeAll(): Promise<void> {
    this.closing = true;
    const everyone = [...this.connections.values()];
    for (const connection of everyone) this.closeSocket(connection, GOING_AWAY);
    await Promise.all([...everyone, ...this.settling].map((connection) => connection.finished));
    await new Promise<void>((resolve) => this.webSocketServer.close(() => resolve()));
  }

  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // A client may hang up while the authorizer runs; that must not crash the process.
    socket.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'http://gateway.invalid');
    if (url.pathname !== `/${this.settings.api.stage}`) return refuseUpgrade(socket, 404);
    if (this.closing) return refuseUpgrade(socket, 503);
    if (!url.searchParams.get(this.settings.identitySource)) {
      this.settings.log({ event: 'connect-refused', status: 401, detail: `no ${this.settings.identitySource} query parameter` });
      return refuseUpgrade(socket, 401);
    }

    const connection = new GatewayConnection({
      connectionId: newGatewayId(),
      connectedAt: Date.now(),
      sourceIp: normaliseIp(req.socket.remoteAddress),
      userAgent: req.headers['user-agent'] ?? '',
    });
    this.connections.set(connection.connectionId, connection);
    const refuse = (status: number, detail: string): void => {
      this.settings.log({ event: 'connect-refused', connectionId: connection.connectionId, status, detail });
      this.connections.delete(connection.connectionId);
      connection.finish();
      refuseUpgrade(socket, status);
    };

    const request = handshakeRequest(req.rawHeaders, url.searchParams, {
      sourceIp: connection.sourceIp,
      port: req.socket.localPort ?? 0,
    });
    const authorization = await authorizeConnect(
      this.settings.authorizer,
      authorizerEvent(this.settings.api, connection, request, this.methodArn),
    );
    this.settings.log({
      routeKey: '$authorizer',
      connectionId: connection.connectionId,
      ms: authorization.ms,
      status: authorization.kind === 'allowed' ? 200 : authorization.status,
    });
    if (authorization.kind === 'refused') return refuse(authorization.status, authorization.detail);
    connection.authorizer = authorization.authorizer;

    const connectRoute = this.routes.get('$connect');
    if (connectRoute) {
      const event = connectEvent(this.settings.api, connection, request, authorization.authorizer);
      const outcome = await invokeLambda(connectRoute.handler, event, functionNameFor('$connect'));
      const status = outcome.ok ? connectStatus(outcome.value) : 500;
      this.settings.log({ routeKey: '$connect', connectionId: connection.connectionId, ms: outcome.ms, status });
      if (!outcome.ok) return refuse(500, `$connect threw ${describeError(outcome.error)}`);
      if (status < 200 || status > 299) return refuse(status, `$connect answered ${status}`);
    }

    // $connect has succeeded: from here on this connection is owed exactly one $disconnect.
    let upgraded = false;
    if (!this.closing && !socket.destroyed) {
      this.webSocketServer.handleUpgrade(req, socket, head, (webSocket) => {
        upgraded = true;
        this.attach(connection, webSocket);
      });
    }
    if (!upgraded) {
      socket.destroy();
      this.settle(connection, { code: 1006, reason: 'Connection closed before the upgrade completed' });
    }
  }

  private attach(connection: GatewayConnection, socket: WebSocket): void {
    connection.socket = socket;
    connection.state = 'open';
    connection.startClocks(this.settings.idleTimeoutMs, this.settings.maxDurationMs, (clock) => {
      this.settings.log({ event: clock === 'idle' ? 'idle-timeout' : 'max-duration', connectionId: connection.connectionId });
      this.closeSocket(connection, GOING_AWAY);
    });
    socket.on('message', (data, isBinary) => {
      if (connection.state !== 'open') return;
      connection.recordActivity();
      const frame = frameBuffer(data);
      void connection.enqueue(() => this.dispatchFrame(connection, frame, isBinary));
    });
    // ws reports protocol violations here, then closes the socket itself with the matching code.
    socket.on('error', (error: Error & { code?: string }) => {
      this.settings.log({ event: 'socket-error', connectionId: connection.connectionId, detail: describeError(error) });
      if (connection.state !== 'open') return;
      connection.state = 'closing';
      connection.serverClose = error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? MESSAGE_TOO_BIG : PROTOCOL_ERROR;
    });
    socket.on('close', (code, reason) => {
      this.settle(connection, connection.serverClose ?? { code, reason: reason.toString('utf8') });
    });
  }

  /**
   * Each connection's frames are handled one at a time, in arrival order. AWS does not
   * serialize invocations per connection; doing so here keeps tests deterministic, and code
   * that is correct without the ordering stays correct with it.
   */
  private async dispatchFrame(connection: GatewayConnection, frame: Buffer, isBinary: boolean): Promise<void> {
    const selection = selectRoute(frame, isBinary, this.routeKeys);
    const route = selection.routeKey === undefined ? undefined : this.routes.get(selection.routeKey);
    const authorizer = connection.authorizer;
    if (!route || !authorizer) {
      // API Gateway's answer when no route (not even $default) matches.
      this.sendFrame(connection, { message: 'Forbidden', connectionId: connection.connectionId, requestId: newGatewayId() });
      this.settings.log({ routeKey: selection.routeKey ?? null, connectionId: connection.connectionId, ms: 0, status: 403 });
      return;
    }
    const event = messageEvent(this.settings.api, connection, route.routeKey, authorizer, selection.body, selection.isBase64Encoded);
    const outcome = await invokeLambda(route.handler, event, functionNameFor(route.routeKey));
    this.settings.log({
      routeKey: route.routeKey,
      connectionId: connection.connectionId,
      ms: outcome.ms,
      status: outcome.ok ? 'ok' : 'error',
      ...(outcome.ok ? {} : { error: describeError(outcome.error) }),
    });
    if (!outcome.ok) {
      const { requestId } = event.requestContext;
      this.sendFrame(connection, { message: 'Internal server error', connectionId: connection.connectionId, requestId });
      return;
    }
    const reply = route.replies ? routeResponseBody(outcome.value) : undefined;
    if (reply !== undefined) this.sendFrame(connection, reply);
  }

  private sendFrame(connection: GatewayConnection, payload: string | Record<string, unknown>): void {
    const socket = connection.socket;
    if (connection.state !== 'open' || socket?.readyState !== WebSocket.OPEN) return;
    socket.send(typeof payload === 'string' ? payload : JSON.stringify(payload));
  }

  private closeSocket(connection: GatewayConnection, status: CloseStatus): void {
    const socket = connection.socket;
    if (connection.state !== 'open' || !socket) return;
    connection.state = 'closing';
    connection.serverClose = status;
    socket.close(status.code, status.reason);
    const cutOff = setTimeout(() => socket.terminate(), CLOSE_HANDSHAKE_GRACE_MS);
    cutOff.unref();
    socket.once('close', () => clearTimeout(cutOff));
  }

  /** The socket is gone: forget the connection, then run its one $disconnect after any queued frames. */
  private settle(connection: GatewayConnection, status: CloseStatus): void {
    if (connection.state === 'closed' || !this.connections.has(connection.connectionId)) return;
    this.connections.delete(connection.connectionId);
    this.settling.add(connection);
    void connection.finished.then(() => this.settling.delete(connection));
    connection.state = 'closed';
    connection.stopClocks();
    const route = this.routes.get('$disconnect');
    const authorizer = connection.authorizer;
    const dropped = this.settings.faults?.dropDisconnect(connection.connectionId) ?? false;
    if (dropped) this.settings.log({ event: 'disconnect-dropped', connectionId: connection.connectionId });
    void connection.enqueue(async () => {
      if (route && authorizer && !dropped) {
        const event = disconnectEvent(this.settings.api, connection, authorizer, status, this.settings.api.domainName);
        const outcome = await invokeLambda(route.handler, event, functionNameFor('$disconnect'));
        this.settings.log({
          routeKey: '$disconnect',
          connectionId: connection.connectionId,
          ms: outcome.ms,
          status: outcome.ok ? 'ok' : 'error',
          disconnectStatusCode: status.code,
          ...(outcome.ok ? {} : { error: describeError(outcome.error) }),
        });
      }
      connection.finish();
    });
  }
}
