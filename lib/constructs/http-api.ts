import { Duration, Stack } from 'aws-cdk-lib';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
  type HttpRoute,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { HTTP_ROUTES, type HttpRoute as HttpRouteDefinition } from '../../functions/routes';
import type { ThrottleLimits } from '../parley-context';
import { HTTP_ACCESS_LOG_FORMAT } from './access-log-formats';
import { functionLogGroup } from './function-log-group';
import { toPascalCase } from './naming';
import { ParleyFunction } from './parley-function';
import { applyRouteThrottles } from './realtime-api';
import type { ParleyResources } from './parley-resources';

/** An HTTP_ROUTES entry as deployed: its API Gateway route and its Lambda. */
export interface DeployedHttpRoute {
  readonly definition: HttpRouteDefinition;
  readonly route: HttpRoute;
  readonly handler: ParleyFunction;
}

export interface HttpApiProps {
  readonly resources: ParleyResources;
  /** Origins allowed by CORS; `*` allows any (tokens travel in a header, not cookies). */
  readonly corsOrigins: readonly string[];
  /** Stage-wide limit: the ceiling over the per-route ones. */
  readonly throttle: ThrottleLimits;
  /** Per `METHOD /path` (every HTTP_ROUTES entry must have one), from lib/traffic-model.ts. */
  readonly routeThrottles: Readonly<Record<string, ThrottleLimits>>;
}

/** The HTTP API (auth and history): one Lambda per route, a throttled and logged stage. */
/**
 * HTTP functions that may need longer than the default: an export or erase walks every
 * conversation of a customer (docs/data-rights.md). Just under the HTTP API's 30 s integration
 * timeout; an erase cut short is completed by its retry (it is idempotent).
 */
export const HTTP_FUNCTION_TIMEOUTS: Readonly<Record<string, Duration>> = { 'customer-data': Duration.seconds(29) };

export class HttpApiConstruct extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogGroup: LogGroup;
  /** Where every route's function logs (one stream set per function). */
  readonly functionLogGroup: LogGroup;
  /** https://{apiId}.execute-api.{region}.{urlSuffix}/ */
  readonly url: string;
  /** One per HTTP_ROUTES entry, in that order. */
  readonly routes: readonly DeployedHttpRoute[];

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);

    this.httpApi = new HttpApi(this, 'Api', {
      apiName: `${Stack.of(this).stackName}-http`,
      description: 'Parley authentication and conversation history',
      // The default stage is created below, with throttling and access logs.
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: [...props.corsOrigins],
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.PUT, CorsHttpMethod.DELETE, CorsHttpMethod.OPTIONS],
        allowHeaders: ['authorization', 'content-type'],
        maxAge: Duration.hours(1),
      },
    });

    this.accessLogGroup = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_MONTH });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttle.rateLimit, burstLimit: props.throttle.burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogGroup),
        format: HTTP_ACCESS_LOG_FORMAT,
      },
    });
    this.url = this.stage.url;

    this.functionLogGroup = functionLogGroup(this);
    // Routes of one feature may share a function (same name and entry, the handler dispatching
    // on the route key): a shared function costs one function, role and policy instead of one
    // per route, which keeps the stack within CloudFormation's resource limit.
    const handlers = new Map<string, { definition: HttpRouteDefinition; handler: ParleyFunction; integration: HttpLambdaIntegration }>();
    const handlerFor = (definition: HttpRouteDefinition) => {
      const existing = handlers.get(definition.name);
      if (existing !== undefined) {
        if (
          existing.definition.entry !== definition.entry ||
          JSON.stringify(existing.definition.needs) !== JSON.stringify(definition.needs)
        ) {
          throw new Error(`HTTP routes named ${definition.name} share a function but differ in entry or needs`);
        }
        return existing;
      }
      const handler = new ParleyFunction(this, `${toPascalCase(definition.name)}Handler`, {
        name: definition.name,
        entry: definition.entry,
        needs: definition.needs,
        resources: props.resources,
        logGroup: this.functionLogGroup,
        ...(HTTP_FUNCTION_TIMEOUTS[definition.name] === undefined ? {} : { timeout: HTTP_FUNCTION_TIMEOUTS[definition.name] }),
        description: `Parley HTTP ${HTTP_ROUTES.filter((other) => other.name === definition.name)
          .map((other) => `${other.method} ${other.path}`)
          .join(', ')}`.slice(0, 256),
      });
      // One integration per function: API Gateway reuses it for each of the function's routes.
      const integration = new HttpLambdaIntegration(`${toPascalCase(definition.name)}Integration`, handler.lambda, {
        payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
      });
      const created = { definition, handler, integration };
      handlers.set(definition.name, created);
      return created;
    };
    this.routes = HTTP_ROUTES.map((definition) => {
      const { handler, integration } = handlerFor(definition);
      const [route] = this.httpApi.addRoutes({
        path: definition.path,
        methods: [HttpMethod[definition.method]],
        integration,
      });
      if (route === undefined) throw new Error(`No route was created for ${definition.method} ${definition.path}`);
      return { definition, route, handler };
    });

    applyRouteThrottles(this.stage, this.routes, props.routeThrottles, ({ definition }) => `${definition.method} ${definition.path}`);
  }

  /** Each route's function, once (routes may share one). */
  get functions(): readonly ParleyFunction[] {
    return [...new Set(this.routes.map((deployed) => deployed.handler))];
  }
}
