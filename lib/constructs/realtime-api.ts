import { Stack } from 'aws-cdk-lib';
import { type CfnStage, LogGroupLogDestination, WebSocketApi, WebSocketStage, type WebSocketRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct, type IDependable, type Node } from 'constructs';
import {
  AUTHORIZER_ENTRY,
  AUTHORIZER_NEEDS,
  WEBSOCKET_ROUTES,
  type WebSocketRoute as WebSocketRouteDefinition,
} from '../../functions/routes';
import type { ThrottleLimits } from '../parley-context';
import { WEBSOCKET_ACCESS_LOG_FORMAT } from './access-log-formats';
import { functionLogGroup } from './function-log-group';
import { toPascalCase } from './naming';
import { ParleyFunction } from './parley-function';
import type { ParleyResources, RealtimeEndpoint } from './parley-resources';

/**
 * Per-route throttles on a stage (WebSocket route keys or HTTP `METHOD /path`). The stage
 * waits for its routes: API Gateway refuses settings for a route key that does not exist yet.
 */
export function applyRouteThrottles<T extends { readonly route: IConstruct }>(
  stage: { readonly node: Node },
  routes: readonly T[],
  throttles: Readonly<Record<string, ThrottleLimits>>,
  routeKeyOf: (deployed: T) => string,
): void {
  const settings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
  for (const deployed of routes) {
    const routeKey = routeKeyOf(deployed);
    const throttle = throttles[routeKey];
    if (throttle === undefined) throw new Error(`No throttle for route ${routeKey}: add it to lib/traffic-model.ts`);
    settings[routeKey] = { ThrottlingRateLimit: throttle.rateLimit, ThrottlingBurstLimit: throttle.burstLimit };
    stage.node.addDependency(deployed.route);
  }
  (stage.node.defaultChild as CfnStage).routeSettings = settings;
}

/** Where the authorizer finds the token: `wss://host/stage?token=<jwt>` (PROTOCOL.md §2). */
export const TOKEN_IDENTITY_SOURCE = 'route.request.querystring.token';

/** A WEBSOCKET_ROUTES entry as deployed: its API Gateway route and its Lambda. */
export interface DeployedWebSocketRoute {
  readonly definition: WebSocketRouteDefinition;
  readonly route: WebSocketRoute;
  readonly handler: ParleyFunction;
}

export interface RealtimeApiProps {
  /** Everything but the endpoint, which this construct provides. */
  readonly resources: Omit<ParleyResources, 'realtime'>;
  readonly stageName: string;
  /** Stage-wide limit: the ceiling over the per-route ones. */
  readonly throttle: ThrottleLimits;
  /** Per route key (every WEBSOCKET_ROUTES entry must have one), from lib/traffic-model.ts. */
  readonly routeThrottles: Readonly<Record<string, ThrottleLimits>>;
  /** Deployed before the stage, e.g. the account's API Gateway logging role. */
  readonly stagePrerequisite?: IDependable;
}

/** The WebSocket API: authorizer, one Lambda per route, a throttled and logged stage. */
export class RealtimeApiConstruct extends Construct implements RealtimeEndpoint {
  readonly webSocketApi: WebSocketApi;
  readonly stage: WebSocketStage;
  readonly accessLogGroup: LogGroup;
  /** Where the authorizer and every route's function log (one stream set per function). */
  readonly functionLogGroup: LogGroup;
  /** wss://{apiId}.execute-api.{region}.{urlSuffix}/{stage} */
  readonly wssUrl: string;
  readonly callbackUrl: string;
  readonly authorizer: ParleyFunction;
  /** One per WEBSOCKET_ROUTES entry, in that order. */
  readonly routes: readonly DeployedWebSocketRoute[];

  constructor(scope: Construct, id: string, props: RealtimeApiProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.webSocketApi = new WebSocketApi(this, 'Api', {
      apiName: `${stack.stackName}-realtime`,
      description: 'Parley customer-service chat',
      routeSelectionExpression: '$request.body.action',
    });

    this.accessLogGroup = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_MONTH });
    this.stage = new WebSocketStage(this, 'Stage', {
      webSocketApi: this.webSocketApi,
      stageName: props.stageName,
      autoDeploy: true,
      throttle: { rateLimit: props.throttle.rateLimit, burstLimit: props.throttle.burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogGroup),
        format: WEBSOCKET_ACCESS_LOG_FORMAT,
      },
    });
    if (props.stagePrerequisite !== undefined) this.stage.node.addDependency(props.stagePrerequisite);

    this.wssUrl = this.stage.url;
    // Built from the API id, region and the literal stage name rather than the stage
    // resource, so functions (and their roles) never depend on the stage.
    this.callbackUrl = `https://${this.webSocketApi.apiId}.execute-api.${stack.region}.${stack.urlSuffix}/${props.stageName}`;

    const resources: ParleyResources = { ...props.resources, realtime: this };
    this.functionLogGroup = functionLogGroup(this);

    this.authorizer = new ParleyFunction(this, 'Authorizer', {
      name: 'authorizer',
      entry: AUTHORIZER_ENTRY,
      needs: AUTHORIZER_NEEDS,
      resources,
      logGroup: this.functionLogGroup,
      description: 'Parley WebSocket authorizer: verifies the connect token',
    });
    const connectAuthorizer = new WebSocketLambdaAuthorizer('TokenAuthorizer', this.authorizer.lambda, {
      identitySource: [TOKEN_IDENTITY_SOURCE],
    });

    this.routes = WEBSOCKET_ROUTES.map((definition) => {
      const handlerId = toPascalCase(definition.name);
      const handler = new ParleyFunction(this, `${handlerId}Handler`, {
        name: definition.name,
        entry: definition.entry,
        needs: definition.needs,
        resources,
        logGroup: this.functionLogGroup,
        description: `Parley WebSocket ${definition.routeKey} route`,
      });
      const route = this.webSocketApi.addRoute(definition.routeKey, {
        integration: new WebSocketLambdaIntegration(`${handlerId}Integration`, handler.lambda),
        returnResponse: definition.replies,
        // API Gateway runs authorizers on $connect only; later frames ride on that connection.
        ...(definition.routeKey === '$connect' ? { authorizer: connectAuthorizer } : {}),
      });
      return { definition, route, handler };
    });

    applyRouteThrottles(this.stage, this.routes, props.routeThrottles, (deployed) => deployed.definition.routeKey);
  }

  /** The authorizer followed by the route handlers. */
  get functions(): readonly ParleyFunction[] {
    return [this.authorizer, ...this.routes.map((deployed) => deployed.handler)];
  }
}
