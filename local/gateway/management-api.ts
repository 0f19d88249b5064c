import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendAwsError, sendJson } from './aws-error-response';
import { newGatewayId } from './aws-formats';
import { readBody } from './request-body';
import type { GatewayFaultHooks } from './gateway-faults';
import type { ConnectionManager } from './websocket-connection-manager';

export interface ManagementApiSettings {
  readonly stage: string;
  readonly maxMessageBytes: number;
  /** Injected failures (local fault testing only). */
  readonly faults?: GatewayFaultHooks;
}

const CONNECTIONS_SEGMENT = '@connections';

/**
 * The connection id named by `/<stage>/@connections/<id>`: undefined for any other path,
 * null when the id segment is empty or not valid percent-encoding.
 */
function connectionIdFromPath(pathname: string, stage: string): string | null | undefined {
  // Split before decoding so an encoded '/' inside an id cannot change the path's shape.
  const segments = pathname.split('/');
  if (segments.length !== 4 || segments[0] !== '' || segments[1] !== stage || segments[2] !== CONNECTIONS_SEGMENT) return undefined;
  try {
    const id = decodeURIComponent(segments[3] ?? '');
    return id === '' ? null : id;
  } catch {
    return null;
  }
}

/**
 * The API Gateway management API (`@connections`) on the gateway's HTTP server: POST sends a
 * text frame, GET describes the connection, DELETE closes it. Signatures are not checked.
 * Returns false when the request is not a management API request.
 */
export async function handleManagementRequest(
  req: IncomingMessage,
  res: ServerResponse,
  manager: ConnectionManager,
  settings: ManagementApiSettings,
): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://gateway.invalid');
  const connectionId = connectionIdFromPath(url.pathname, settings.stage);
  if (connectionId === undefined) return false;
  const requestId = newGatewayId();
  if (connectionId === null) {
    sendAwsError(res, 400, 'BadRequestException', 'Invalid connectionId', requestId);
    return true;
  }
  const gone = (): void => sendAwsError(res, 410, 'GoneException', null, requestId);

  switch (req.method) {
    case 'POST': {
      const read = await readBody(req, settings.maxMessageBytes);
      const verdict = read.kind === 'too-large' ? 'deliver' : ((await settings.faults?.beforePost(connectionId)) ?? 'deliver');
      if (read.kind === 'too-large') {
        sendAwsError(res, 413, 'PayloadTooLargeException', `Message exceeds the ${settings.maxMessageBytes} byte limit`, requestId);
      } else if (verdict === 'gone') {
        // An injected 410 is only honest if the connection really is dead: cut it.
        manager.kill(connectionId);
        gone();
      } else if (verdict === 'limit-exceeded') {
        sendAwsError(res, 429, 'LimitExceededException', 'Rate exceeded', requestId);
      } else if (manager.post(connectionId, read.body) === 'gone') {
        gone();
      } else {
        res.writeHead(200, { 'x-amzn-RequestId': requestId, 'content-length': '0' }).end();
      }
      return true;
    }
    case 'GET': {
      const connection = manager.view(connectionId);
      if (!connection) {
        gone();
        return true;
      }
      sendJson(
        res,
        200,
        {
          connectedAt: new Date(connection.connectedAt).toISOString(),
          identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
          lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
        },
        { 'x-amzn-RequestId': requestId },
      );
      return true;
    }
    case 'DELETE': {
      if (manager.disconnect(connectionId) === 'gone') gone();
      else res.writeHead(204, { 'x-amzn-RequestId': requestId }).end();
      return true;
    }
    default:
      sendAwsError(res, 403, 'ForbiddenException', `${req.method ?? 'This method'} is not supported on @connections`, requestId);
      return true;
  }
}
