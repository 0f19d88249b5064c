import { formatRequestTime, newGatewayId } from './aws-formats';

/** Values an authorizer may put in its context; API Gateway refuses anything else. */
export type AuthorizerContextValue = string | number | boolean | null;

/** `requestContext.authorizer` as WebSocket routes receive it: principalId, latency and the context keys. */
export interface WebSocketAuthorizerValues {
  readonly principalId: string;
  readonly integrationLatency: number;
  readonly [key: string]: AuthorizerContextValue;
}

export type WebSocketEventType = 'CONNECT' | 'MESSAGE' | 'DISCONNECT';

export interface WebSocketRequestContext {
  routeKey: string;
  eventType: WebSocketEventType;
  messageId?: string;
  extendedRequestId: string;
  requestId: string;
  requestTime: string;
  requestTimeEpoch: number;
  messageDirection: 'IN';
  stage: string;
  connectedAt: number;
  identity: { sourceIp: string; userAgent: string };
  domainName: string;
  connectionId: string;
  apiId: string;
  authorizer?: WebSocketAuthorizerValues;
  disconnectStatusCode?: number;
  disconnectReason?: string;
}

/** The Lambda proxy event of a WebSocket route (a superset of `APIGatewayProxyWebsocketEventV2`). */
export interface WebSocketRouteEvent {
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  queryStringParameters?: Record<string, string>;
  multiValueQueryStringParameters?: Record<string, string[]>;
  requestContext: WebSocketRequestContext;
  body?: string;
  isBase64Encoded: boolean;
}

/**
 * The REQUEST authorizer event API Gateway sends for a WebSocket `$connect`. It has no
 * `path`/`httpMethod`/`resource`, unlike the REST API event `@types/aws-lambda` describes.
 */
export interface WebSocketAuthorizerEvent {
  type: 'REQUEST';
  methodArn: string;
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  queryStringParameters: Record<string, string>;
  multiValueQueryStringParameters: Record<string, string[]>;
  stageVariables: Record<string, string>;
  requestContext: Omit<WebSocketRequestContext, 'authorizer' | 'messageId'>;
}

/** What stays fixed about the API for every event it emits. */
export interface ApiIdentity {
  readonly apiId: string;
  readonly stage: string;
  readonly domainName: string;
}

/** What stays fixed about one connection for every event it causes. */
export interface ConnectionFacts {
  readonly connectionId: string;
  readonly connectedAt: number;
  readonly sourceIp: string;
  readonly userAgent: string;
}

export interface HandshakeRequest {
  readonly headers: Record<string, string>;
  readonly multiValueHeaders: Record<string, string[]>;
  readonly queryStringParameters: Record<string, string>;
  readonly multiValueQueryStringParameters: Record<string, string[]>;
}

function requestContext(
  api: ApiIdentity,
  connection: ConnectionFacts,
  routeKey: string,
  eventType: WebSocketEventType,
): WebSocketRequestContext {
  const now = new Date();
  // API Gateway reports the same value as requestId and extendedRequestId for WebSocket events.
  const requestId = newGatewayId();
  return {
    routeKey,
    eventType,
    extendedRequestId: requestId,
    requestId,
    requestTime: formatRequestTime(now),
    requestTimeEpoch: now.getTime(),
    messageDirection: 'IN',
    stage: api.stage,
    connectedAt: connection.connectedAt,
    identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
    domainName: api.domainName,
    connectionId: connection.connectionId,
    apiId: api.apiId,
  };
}

/**
 * Reduces a raw header list to API Gateway's two views: last value wins in `headers`, every
 * value kept in `multiValueHeaders`. Names keep the client's casing, as on AWS, and the
 * X-Forwarded-* headers API Gateway's edge adds are appended (with the local port and scheme).
 */
export function handshakeRequest(
  rawHeaders: readonly string[],
  search: URLSearchParams,
  forwarded: { readonly sourceIp: string; readonly port: number },
): HandshakeRequest {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  const addHeader = (name: string, value: string): void => {
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  };
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    addHeader(rawHeaders[index] as string, rawHeaders[index + 1] as string);
  }
  addHeader('X-Forwarded-For', forwarded.sourceIp);
  addHeader('X-Forwarded-Port', String(forwarded.port));
  addHeader('X-Forwarded-Proto', 'http');

  const queryStringParameters: Record<string, string> = {};
  const multiValueQueryStringParameters: Record<string, string[]> = {};
  for (const [name, value] of search) {
    queryStringParameters[name] = value;
    multiValueQueryStringParameters[name] = [...(multiValueQueryStringParameters[name] ?? []), value];
  }
  return { headers, multiValueHeaders, queryStringParameters, multiValueQueryStringParameters };
}

export function authorizerEvent(
  api: ApiIdentity,
  connection: ConnectionFacts,
  request: HandshakeRequest,
  methodArn: string,
): WebSocketAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn,
    headers: { ...request.headers },
    multiValueHeaders: structuredClone(request.multiValueHeaders),
    queryStringParameters: { ...request.queryStringParameters },
    multiValueQueryStringParameters: structuredClone(request.multiValueQueryStringParameters),
    stageVariables: {},
    requestContext: requestContext(api, connection, '$connect', 'CONNECT'),
  };
}

export function connectEvent(
  api: ApiIdentity,
  connection: ConnectionFacts,
  request: HandshakeRequest,
  authorizer: WebSocketAuthorizerValues,
): WebSocketRouteEvent {
  const event: WebSocketRouteEvent = {
    headers: { ...request.headers },
    multiValueHeaders: structuredClone(request.multiValueHeaders),
    requestContext: { ...requestContext(api, connection, '$connect', 'CONNECT'), authorizer: { ...authorizer } },
    isBase64Encoded: false,
  };
  if (Object.keys(request.queryStringParameters).length > 0) {
    event.queryStringParameters = { ...request.queryStringParameters };
    event.multiValueQueryStringParameters = structuredClone(request.multiValueQueryStringParameters);
  }
  return event;
}

export function messageEvent(
  api: ApiIdentity,
  connection: ConnectionFacts,
  routeKey: string,
  authorizer: WebSocketAuthorizerValues,
  body: string,
  isBase64Encoded: boolean,
): WebSocketRouteEvent {
  return {
    requestContext: {
      ...requestContext(api, connection, routeKey, 'MESSAGE'),
      messageId: newGatewayId(),
      authorizer: { ...authorizer },
    },
    body,
    isBase64Encoded,
  };
}

export function disconnectEvent(
  api: ApiIdentity,
  connection: ConnectionFacts,
  authorizer: WebSocketAuthorizerValues,
  status: { readonly code: number; readonly reason: string },
  host: string,
): WebSocketRouteEvent {
  const headers = { Host: host, 'X-Forwarded-For': connection.sourceIp };
  return {
    headers,
    multiValueHeaders: { Host: [host], 'X-Forwarded-For': [connection.sourceIp] },
    requestContext: {
      ...requestContext(api, connection, '$disconnect', 'DISCONNECT'),
      disconnectStatusCode: status.code,
      disconnectReason: status.reason,
      authorizer: { ...authorizer },
    },
    isBase64Encoded: false,
  };
}
