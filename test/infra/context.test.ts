import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { TABLE_ACCESS } from '../../functions/routes';
import { functionNameFor } from '../../lib/constructs/naming';
import { LONGEST_REGION_NAME, WEB_SITE_ACCESS_CONTROL_SUFFIX } from '../../lib/constructs/naming';
import { MAX_STACK_NAME_LENGTH, ParleyContextError, readParleyContext } from '../../lib/parley-context';
import { logicalIdOf, onlyResource, synthParley } from './synth-parley';

const contextOf = (context: Record<string, unknown>) => readParleyContext(new App({ context }).node);

describe('readParleyContext', () => {
  it('falls back to the documented defaults', () => {
    expect(contextOf({})).toEqual({
      stackName: 'Parley',
      stageName: 'prod',
      throttle: { rateLimit: 500, burstLimit: 1000 },
      trafficModel: { expectedConcurrentCustomers: 1000, expectedAgents: 50, headroom: 3, routeThrottles: {} },
      corsOrigins: ['*'],
      upstashSecretName: 'parley/upstash',
      apiGatewayCloudWatchRole: true,
      accountConcurrencyLimit: 1000,
      canary: false,
      tracing: true,
      runtime: {
        JWT_ISSUER: 'parley',
        JWT_AUDIENCE: 'parley',
        HEARTBEAT_SECONDS: '30',
        DEFAULT_SKILL: 'general',
        GUEST_TOKEN_SECONDS: '86400',
        AGENT_TOKEN_SECONDS: '43200',
        STAFF_ACCESS_TOKEN_SECONDS: '900',
        CONNECTION_TTL_SECONDS: '7500',
        SECRETS_CACHE_SECONDS: '300',
        PRESENCE_GRACE_SECONDS: '60',
        CLAIM_MIN_AGE_SECONDS: '120',
        ABANDON_AFTER_SECONDS: '900',
        ABANDON_CLOSE_AFTER_SECONDS: '300',
        AGENT_LEAVE_GRACE_SECONDS: '15',
        QUEUE_TICKET_OFFER_SECONDS: '600',
        HOURS_CACHE_SECONDS: '5',
        SKILLS_CACHE_SECONDS: '5',
        IDENTIFIED_CUSTOMER_ISSUER: 'parley-site',
        OIDC_ISSUERS: '[]',
        MAX_TOKEN_SECONDS_CUSTOMER: '86400',
        MAX_TOKEN_SECONDS_AGENT: '43200',
        MAX_TOKEN_SECONDS_SUPERVISOR: '43200',
        MAX_TOKEN_SECONDS_ADMIN: '28800',
        RATE_LIMIT_CONNECTS_PER_IP: '300/60',
        RATE_LIMIT_CONNECTS_PER_USER: '30/60',
        RATE_LIMIT_MESSAGES: '120/60',
        RATE_LIMIT_MESSAGES_PER_USER: '300/60',
        RATE_LIMIT_STARTS: '30/3600',
        RATE_LIMIT_TYPING: '120/60',
        RATE_LIMIT_READS: '300/60',
        RATE_LIMIT_SYNCS: '60/60',
        RATE_LIMIT_HEARTBEATS: '120/60',
        RATE_LIMIT_CONVERSATION_CHANGES: '60/60',
        RATE_LIMIT_GUEST_TOKENS: '60/60',
        RATE_LIMIT_LOGINS: '30/60',
        RATE_LIMIT_SESSION_CALLS: '120/60',
        RATE_LIMIT_API_READS: '120/60',
        RATE_LIMIT_AGENT_CHANGES: '30/60',
        RATE_LIMIT_TRANSCRIPTS: '5/3600',
        RATE_LIMIT_AVAILABILITY: '120/60',
        RATE_LIMIT_SETTINGS_CHANGES: '30/60',
        MAX_CONNECTIONS_PER_CUSTOMER: '10',
        MAX_CONNECTIONS_PER_STAFF: '20',
        LOGIN_FREE_ATTEMPTS: '5',
        LOGIN_LOCK_BASE_MS: '1000',
        LOGIN_LOCK_MAX_SECONDS: '900',
        WEBHOOK_TIMEOUT_MS: '5000',
        WEBHOOK_MAX_ATTEMPTS: '8',
        WEBHOOK_RETRY_BASE_SECONDS: '30',
        WEBHOOK_LOG_DAYS: '14',
        WEBHOOK_ENDPOINT_CACHE_SECONDS: '5',
        ATTACHMENT_MAX_BYTES: String(10 * 1024 * 1024),
        ATTACHMENT_UPLOAD_SECONDS: '300',
        ATTACHMENT_DOWNLOAD_SECONDS: '300',
      },
    });
  });

  it('coerces the strings `cdk synth -c key=value` passes', () => {
    const context = contextOf({
      throttleRateLimit: '25.5',
      throttleBurstLimit: '50',
      corsOrigins: 'https://a.example, https://b.example',
      apiGatewayCloudWatchRole: 'false',
      tracing: 'false',
      heartbeatSeconds: '45',
    });
    expect(context.tracing).toBe(false);
    expect(context.throttle).toEqual({ rateLimit: 25.5, burstLimit: 50 });
    expect(context.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(context.apiGatewayCloudWatchRole).toBe(false);
    expect(context.runtime.HEARTBEAT_SECONDS).toBe('45');
  });

  it('accepts CORS origins as a JSON array, from cdk.json or the command line', () => {
    expect(contextOf({ corsOrigins: ['https://a.example'] }).corsOrigins).toEqual(['https://a.example']);
    expect(contextOf({ corsOrigins: '["https://a.example","https://c.example"]' }).corsOrigins).toEqual([
      'https://a.example',
      'https://c.example',
    ]);
  });

  it("accepts the longest stack name with which every function name fits in Lambda's 64 characters (and the origin access control in CloudFront's)", () => {
    const stackName = `P${'a'.repeat(MAX_STACK_NAME_LENGTH - 1)}`;
    expect(contextOf({ stackName }).stackName).toBe(stackName);
    expect(() => contextOf({ stackName: `${stackName}a` })).toThrow(/stackName/);
    const names = Object.keys(TABLE_ACCESS);
    for (const name of names) expect(functionNameFor(stackName, name).length, name).toBeLessThanOrEqual(64);
    // One of the two bounds is reached exactly: the function names or the regional origin access control name.
    const longest = names.reduce((a, b) => (b.length > a.length ? b : a));
    const accessControl = `${stackName}-${WEB_SITE_ACCESS_CONTROL_SUFFIX}-${LONGEST_REGION_NAME}`;
    expect(Math.max(functionNameFor(stackName, longest).length, accessControl.length)).toBe(64);
  });

  it.each([
    [{ throttleRateLimit: 'fast' }, 'throttleRateLimit'],
    [{ throttleBurstLimit: '-1' }, 'throttleBurstLimit'],
    [{ stageName: 'has space' }, 'stageName'],
    [{ stackName: '9lives' }, 'stackName'],
    // Lambda names (<stackName>-<function>) are capped at 64 characters.
    [{ stackName: `P${'a'.repeat(MAX_STACK_NAME_LENGTH)}` }, 'stackName'],
    [{ alarmEmail: 'not-an-email' }, 'alarmEmail'],
    [{ corsOrigins: '[broken' }, 'corsOrigins'],
    [{ apiGatewayCloudWatchRole: 'maybe' }, 'apiGatewayCloudWatchRole'],
    [{ tracing: 'sometimes' }, 'tracing'],
    [{ defaultSkill: 'Not A Skill' }, 'defaultSkill'],
    [{ heartbeatSeconds: '0' }, 'heartbeatSeconds'],
    [{ accountConcurrencyLimit: '0' }, 'accountConcurrencyLimit'],
    [{ canary: 'sometimes' }, 'canary'],
    [{ costCenter: 'no<angle>brackets' }, 'costCenter'],
    // Staff access tokens live 15 minutes at most; sessions renew them.
    [{ staffAccessTokenSeconds: '3600' }, 'staffAccessTokenSeconds'],
  ])('refuses %o, naming the key', (context, key) => {
    expect(() => contextOf(context)).toThrow(ParleyContextError);
    expect(() => contextOf(context)).toThrow(key);
  });
});

describe('context overrides reach the template', () => {
  const { stack, template } = synthParley({
    context: {
      stageName: 'beta',
      throttleRateLimit: '50',
      throttleBurstLimit: '100',
      corsOrigins: 'https://chat.example.com',
      upstashSecretName: 'team/upstash',
      apiGatewayCloudWatchRole: 'false',
      jwtIssuer: 'https://auth.example.com',
      defaultSkill: 'billing',
    },
  });

  it('names and throttles both stages as configured', () => {
    const apiId = logicalIdOf(stack.realtime.webSocketApi);
    expect(onlyResource(template, 'AWS::ApiGatewayV2::Stage', { ApiId: { Ref: apiId } }).Properties).toMatchObject({
      StageName: 'beta',
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
    const httpApiId = logicalIdOf(stack.http.httpApi);
    expect(onlyResource(template, 'AWS::ApiGatewayV2::Stage', { ApiId: { Ref: httpApiId } }).Properties).toMatchObject({
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
  });

  it('restricts CORS to the configured origin', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: { AllowOrigins: ['https://chat.example.com'] },
    });
  });

  it('passes the settings to every function, with the callback URL on the configured stage', () => {
    // CDK's own BucketDeployment handler (it uploads the web pages, lib/constructs/web-hosting.ts) is not a Parley function.
    const functions = Object.entries(template.findResources('AWS::Lambda::Function'))
      .filter(([id]) => !id.startsWith('CustomCDKBucketDeployment'))
      .map(([, fn]) => fn);
    expect(functions).toHaveLength(stack.functions.length);
    for (const fn of functions) {
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables).toMatchObject({
        UPSTASH_SECRET_ID: 'team/upstash',
        JWT_ISSUER: 'https://auth.example.com',
        DEFAULT_SKILL: 'billing',
      });
      expect(JSON.stringify(variables.WS_CALLBACK_URL)).toContain('"/beta"');
    }
  });

  it('grants the Upstash secret by its configured name', () => {
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).toContain('secret:team/upstash-??????');
  });

  it('leaves the account-level API Gateway logging role alone when told to', () => {
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    expect(stack.apiGatewayAccount).toBeUndefined();
  });
});
