import { Token } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { HTTP_ROUTES } from '../../functions/routes';
import { logicalIdOf, onlyResource, resourcesOfType, synthParley } from './synth-parley';

const { stack, template } = synthParley();
const apiRef = { Ref: logicalIdOf(stack.http.httpApi) };
const resources = template.toJSON().Resources as Record<string, { Properties: Record<string, unknown> }>;

describe('HTTP API', () => {
  it('allows CORS from the configured origins (default any) with the methods and headers clients use', () => {
    const api = onlyResource(template, 'AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    const cors = api.Properties?.CorsConfiguration as Record<string, string[]>;
    expect(cors.AllowOrigins).toEqual(['*']);
    expect([...(cors.AllowMethods ?? [])].sort()).toEqual(['DELETE', 'GET', 'OPTIONS', 'POST', 'PUT']);
    expect([...(cors.AllowHeaders ?? [])].sort()).toEqual(['authorization', 'content-type']);
  });

  it('has one route per HTTP_ROUTES entry, each integrated with the Lambda of its function via payload format 2.0', () => {
    const routes = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Route')).filter(
      (route) => (route.Properties?.ApiId as { Ref: string } | undefined)?.Ref === apiRef.Ref,
    );
    expect(routes.map((route) => route.Properties?.RouteKey).sort()).toEqual(
      HTTP_ROUTES.map((route) => `${route.method} ${route.path}`).sort(),
    );
    expect(stack.http.routes).toHaveLength(HTTP_ROUTES.length);
    for (const { definition, route, handler } of stack.http.routes) {
      const routeProps = resources[logicalIdOf(route)]!.Properties;
      expect(routeProps.RouteKey).toBe(`${definition.method} ${definition.path}`);
      const target = routeProps.Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
      const integration = resources[target['Fn::Join'][1][1].Ref]!.Properties;
      expect(integration).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
      expect(JSON.stringify(integration.IntegrationUri)).toContain(`"${logicalIdOf(handler.lambda)}"`);
    }
  });

  it('serves a throttled, auto-deployed $default stage with JSON access logs', () => {
    const stage = onlyResource(template, 'AWS::ApiGatewayV2::Stage', { ApiId: apiRef });
    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 },
      AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [logicalIdOf(stack.http.accessLogGroup), 'Arn'] } },
    });
    const format = JSON.parse((stage.Properties!.AccessLogSettings as { Format: string }).Format) as Record<string, string>;
    expect(format).toMatchObject({ requestId: '$context.requestId', routeKey: '$context.routeKey', status: '$context.status' });
  });
});

describe('stack outputs', () => {
  it('publishes the endpoints and names a deployer needs', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining(['WebSocketUrl', 'HttpApiUrl', 'TableName', 'RoutingQueueUrl', 'DashboardName']),
    );
    expect(outputs.TableName?.Value).toEqual({ Ref: logicalIdOf(stack.storage.table) });
    expect(outputs.RoutingQueueUrl?.Value).toEqual({ Ref: logicalIdOf(stack.routing.queue) });
    expect(outputs.DashboardName?.Value).toEqual({ Ref: logicalIdOf(stack.monitoring.dashboard) });
    expect(outputs.HttpApiUrl?.Value).toEqual({
      'Fn::Join': ['', ['https://', apiRef, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/']],
    });
  });

  it('always creates the alarm topic, subscribing no address unless an alarm email is configured', () => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    template.hasOutput('AlarmTopicArn', { Value: { Ref: logicalIdOf(stack.monitoring.alarmTopic) } });
  });

  it('is environment-agnostic: no account or region is baked in', () => {
    expect(Token.isUnresolved(stack.account)).toBe(true);
    expect(Token.isUnresolved(stack.region)).toBe(true);
    const text = JSON.stringify(template.toJSON());
    expect(text).not.toMatch(/\b\d{12}\b/);
    expect(text).not.toMatch(/\b(us|eu|ap|sa|ca|me|af)-(north|south|east|west|central|northeast|southeast)-\d\b/);
  });
});
