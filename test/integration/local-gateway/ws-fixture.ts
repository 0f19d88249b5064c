import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import {
  startWebSocketGateway,
  type LambdaHandler,
  type WebSocketGateway,
  type WebSocketGatewayOptions,
  type WebSocketGatewayRoute,
} from '../../../local/gateway/websocket-gateway';
import type { WebSocketRouteEvent } from '../../../local/gateway/websocket-events';
import { fakeAuthorizer } from './ws-test-client';

export interface RecordedCall {
  readonly routeKey: string;
  readonly event: WebSocketRouteEvent;
  readonly context: Context;
}

export interface GatewayFixture {
  readonly gateway: WebSocketGateway;
  readonly calls: RecordedCall[];
  readonly authorizerEvents: APIGatewayRequestAuthorizerEvent[];
  readonly logs: Record<string, unknown>[];
  callsTo(routeKey: string): RecordedCall[];
}

type RouteBehaviour = (event: WebSocketRouteEvent) => Promise<unknown>;

/**
 * Starts a gateway whose routes record every event. `behaviours` overrides what a route does;
 * by default action routes reply with an echo of the body and lifecycle routes answer 200.
 */
export async function startRecordingGateway(
  behaviours: Record<string, RouteBehaviour> = {},
  overrides: Partial<WebSocketGatewayOptions> & { routeKeys?: string[]; silent?: string[] } = {},
): Promise<GatewayFixture> {
  const calls: RecordedCall[] = [];
  const authorizerEvents: APIGatewayRequestAuthorizerEvent[] = [];
  const logs: Record<string, unknown>[] = [];
  const routeKeys = overrides.routeKeys ?? ['$connect', '$disconnect', '$default', 'echo', 'explode'];
  const lifecycle = new Set(['$connect', '$disconnect']);
  const routes: WebSocketGatewayRoute[] = routeKeys.map((routeKey) => {
    const handler: LambdaHandler<WebSocketRouteEvent> = async (event, context) => {
      calls.push({ routeKey, event, context });
      const behaviour = behaviours[routeKey];
      if (behaviour) return behaviour(event);
      if (routeKey === 'explode') throw new Error('handler exploded');
      if (lifecycle.has(routeKey)) return { statusCode: 200 };
      return { statusCode: 200, body: JSON.stringify({ route: routeKey, got: event.body }) };
    };
    return { routeKey, handler, replies: !lifecycle.has(routeKey) && !(overrides.silent ?? []).includes(routeKey) };
  });
  const authorizer: LambdaHandler<APIGatewayRequestAuthorizerEvent, APIGatewayAuthorizerResult> = async (event) => {
    authorizerEvents.push(event);
    return fakeAuthorizer(event);
  };
  const { routeKeys: _ignored, silent: _silent, ...options } = overrides;
  const gateway = await startWebSocketGateway({
    port: 0,
    stage: 'local',
    routes,
    authorizer,
    logger: (line) => logs.push(line),
    ...options,
  });
  return {
    gateway,
    calls,
    authorizerEvents,
    logs,
    callsTo: (routeKey) => calls.filter((call) => call.routeKey === routeKey),
  };
}
