import { describe, expect, it } from 'vitest';
import { WEBSOCKET_ROUTES } from '../../functions/routes';
import { TOKEN_IDENTITY_SOURCE } from '../../lib/constructs/realtime-api';
import { logicalIdOf, onlyResource, resourcesOfType, synthParley } from './synth-parley';

const { stack, template } = synthParley();
const apiRef = { Ref: logicalIdOf(stack.realtime.webSocketApi) };
const routes = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Route')).filter(
  (route) => (route.Properties?.ApiId as { Ref: string } | undefined)?.Ref === apiRef.Ref,
);
const routeNamed = (routeKey: string) => {
  const route = routes.find((candidate) => candidate.Properties?.RouteKey === routeKey);
  if (route === undefined) throw new Error(`No WebSocket route ${routeKey}`);
  return route;
};
const routeLogicalId = (routeKey: string) => {
  const deployed = stack.realtime.routes.find((candidate) => candidate.definition.routeKey === routeKey);
  if (deployed === undefined) throw new Error(`No deployed route ${routeKey}`);
  return logicalIdOf(deployed.route);
};

describe('WebSocket API', () => {
  it('routes on the action field of each frame', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: '$request.body.action',
    });
  });

  it('has exactly one route per WEBSOCKET_ROUTES entry, including the protocol essentials', () => {
    const routeKeys = routes.map((route) => route.Properties?.RouteKey).sort();
    expect(routeKeys).toEqual(WEBSOCKET_ROUTES.map((route) => route.routeKey).sort());
    expect(routeKeys).toEqual(expect.arrayContaining(['$connect', '$disconnect', '$default', 'message', 'heartbeat']));
  });

  it("integrates each route with that route's own Lambda", () => {
    expect(stack.realtime.routes).toHaveLength(WEBSOCKET_ROUTES.length);
    for (const { definition, handler } of stack.realtime.routes) {
      const target = routeNamed(definition.routeKey).Properties?.Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
      const integrationId = target['Fn::Join'][1][1].Ref;
      const integration = template.toJSON().Resources[integrationId] as { Properties: { IntegrationUri: unknown } };
      expect(JSON.stringify(integration.Properties.IntegrationUri)).toContain(`"${logicalIdOf(handler.lambda)}"`);
    }
  });

  it('authorizes $connect with the Lambda authorizer reading the token query parameter', () => {
    const authorizers = template.findResources('AWS::ApiGatewayV2::Authorizer', {
      Properties: { ApiId: apiRef, AuthorizerType: 'REQUEST', IdentitySource: [TOKEN_IDENTITY_SOURCE] },
    });
    expect(TOKEN_IDENTITY_SOURCE).toBe('route.request.querystring.token');
    const [authorizerLogicalId, ...others] = Object.keys(authorizers);
    expect(others).toHaveLength(0);
    const authorizerUri = JSON.stringify(authorizers[authorizerLogicalId!]?.Properties?.AuthorizerUri);
    expect(authorizerUri).toContain(`"${logicalIdOf(stack.realtime.authorizer.lambda)}"`);

    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      ApiId: apiRef,
      RouteKey: '$connect',
      AuthorizationType: 'CUSTOM',
      AuthorizerId: { Ref: authorizerLogicalId },
    });
  });

  it('lets API Gateway invoke the authorizer', () => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [logicalIdOf(stack.realtime.authorizer.lambda), 'Arn'] },
      Principal: 'apigateway.amazonaws.com',
    });
  });

  it('leaves routes other than $connect without an authorizer (API Gateway allows none there)', () => {
    for (const route of routes.filter((candidate) => candidate.Properties?.RouteKey !== '$connect')) {
      expect(route.Properties?.AuthorizationType).toBe('NONE');
    }
  });

  it('returns route responses exactly for the routes that reply', () => {
    const responses = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::RouteResponse'));
    for (const definition of WEBSOCKET_ROUTES) {
      const routeId = routeLogicalId(definition.routeKey);
      const responsesForRoute = responses.filter(
        (response) => (response.Properties?.RouteId as { Ref: string } | undefined)?.Ref === routeId,
      );
      if (definition.replies) {
        expect(routeNamed(definition.routeKey).Properties?.RouteResponseSelectionExpression, definition.routeKey).toBe('$default');
        expect(responsesForRoute, definition.routeKey).toHaveLength(1);
        expect(responsesForRoute[0]?.Properties?.RouteResponseKey).toBe('$default');
      } else {
        expect(routeNamed(definition.routeKey).Properties?.RouteResponseSelectionExpression, definition.routeKey).toBeUndefined();
        expect(responsesForRoute, definition.routeKey).toHaveLength(0);
      }
    }
    expect(WEBSOCKET_ROUTES.some((route) => !route.replies)).toBe(true);
  });
});

describe('WebSocket stage', () => {
  const stage = onlyResource(template, 'AWS::ApiGatewayV2::Stage', { ApiId: apiRef });

  it('deploys automatically under the default stage name with default route throttling', () => {
    expect(stage.Properties).toMatchObject({
      StageName: 'prod',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 },
    });
  });

  it('writes JSON access logs with the fields operators query', () => {
    const settings = stage.Properties?.AccessLogSettings as { DestinationArn: unknown; Format: string };
    expect(settings.DestinationArn).toEqual({ 'Fn::GetAtt': [logicalIdOf(stack.realtime.accessLogGroup), 'Arn'] });
    const format = JSON.parse(settings.Format) as Record<string, string>;
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      connectionId: '$context.connectionId',
      routeKey: '$context.routeKey',
      status: '$context.status',
      ip: '$context.identity.sourceIp',
      error: '$context.error.message',
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('is deployed after the account logging role that WebSocket access logs require', () => {
    const stageResource = template.toJSON().Resources[logicalIdOf(stack.realtime.stage)] as { DependsOn?: string[] };
    const account = stack.apiGatewayAccount;
    expect(account).toBeDefined();
    expect(stageResource.DependsOn).toContain(logicalIdOf(account!.account));
    template.hasResourceProperties('AWS::ApiGateway::Account', {
      CloudWatchRoleArn: { 'Fn::GetAtt': [logicalIdOf(account!.role), 'Arn'] },
    });
  });
});

describe('WebSocket endpoints', () => {
  it('gives every function the management endpoint built from the API id, region and stage name', () => {
    const expected = {
      'Fn::Join': ['', ['https://', apiRef, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/prod']],
    };
    // CDK's own BucketDeployment handler (it uploads the web pages, lib/constructs/web-hosting.ts) is not a Parley function.
    const functions = Object.entries(resourcesOfType(template, 'AWS::Lambda::Function'))
      .filter(([id]) => !id.startsWith('CustomCDKBucketDeployment'))
      .map(([, fn]) => fn);
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) {
      const variables = (fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables.WS_CALLBACK_URL).toEqual(expected);
    }
  });

  it('outputs the wss:// URL clients connect to', () => {
    template.hasOutput('WebSocketUrl', {
      Value: {
        'Fn::Join': ['', ['wss://', apiRef, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/prod']],
      },
    });
  });
});
