import { describe, expect, it } from 'vitest';
import { FUNCTION_TIMEOUT_SECONDS, RECHECK_SECONDS } from '../../functions/domain/send-window';
import { configSchema, MAIL_SETTINGS, NOT_DEPLOYED, RETENTION_SETTINGS } from '../../functions/config';
import {
  EVENTS_CONSUMER,
  HTTP_ROUTES,
  SCHEDULED_FUNCTIONS,
  SIGNING_KEY_ROTATION,
  WEBHOOK_DELIVERY_FUNCTION,
  WEBSOCKET_ROUTES,
} from '../../functions/routes';
import { logicalIdOf, resourcesOfType, synthParley } from './synth-parley';

const { stack, template } = synthParley();
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
// CDK's own BucketDeployment handler (it uploads the web pages, lib/constructs/web-hosting.ts) is not a Parley function.
const lambdaFunctions = Object.fromEntries(
  Object.entries(resourcesOfType(template, 'AWS::Lambda::Function')).filter(([id]) => !id.startsWith('CustomCDKBucketDeployment')),
);

/** The template's Lambda entry for each ParleyFunction, keyed by the function's name. */
const deployed = new Map(stack.functions.map((fn) => [fn.name, resources[logicalIdOf(fn.lambda)]!.Properties] as const));
const variablesOf = (properties: Record<string, unknown>) => (properties.Environment as { Variables: Record<string, unknown> }).Variables;

describe('Lambda functions', () => {
  it('are one per WebSocket route, one per HTTP function (routes of a feature share one), one per scheduled function, the authorizer, the router, the events consumer, the webhook worker and the key rotation, and nothing else', () => {
    const httpFunctionNames = new Set(HTTP_ROUTES.map((r) => r.name));
    expect(Object.keys(lambdaFunctions)).toHaveLength(WEBSOCKET_ROUTES.length + httpFunctionNames.size + SCHEDULED_FUNCTIONS.length + 5);
    expect([...deployed.keys()].sort()).toEqual(
      [
        'authorizer',
        'router',
        WEBHOOK_DELIVERY_FUNCTION.name,
        EVENTS_CONSUMER.name,
        SIGNING_KEY_ROTATION.name,
        ...WEBSOCKET_ROUTES.map((r) => r.name),
        ...httpFunctionNames,
        ...SCHEDULED_FUNCTIONS.map((f) => f.name),
      ].sort(),
    );
  });

  it('all run Node.js 22 on arm64 with 512 MB and active tracing', () => {
    for (const fn of Object.values(lambdaFunctions)) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        MemorySize: 512,
        TracingConfig: { Mode: 'Active' },
        Handler: 'index.handler',
      });
    }
  });

  it('are untraced with the `tracing` context value off: no tracing config and no X-Ray grant', () => {
    const untraced = synthParley({ context: { tracing: 'false' } });
    const functions = untraced.stack.functions.map((fn) => untraced.template.toJSON().Resources[logicalIdOf(fn.lambda)].Properties);
    expect(functions.length).toBe(deployed.size);
    for (const properties of functions) expect(properties.TracingConfig).toBeUndefined();
    expect(JSON.stringify(untraced.template.findResources('AWS::IAM::Policy'))).not.toContain('xray:');
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).toContain('xray:PutTraceSegments');
  });

  it('time out after 10 seconds, except the queue consumers (router, events consumer, webhook worker) and the key rotation at 30, customer-data at 29 (under the HTTP API 30 s) and the scheduled functions at their own (reconcile 50)', () => {
    const long = ['router', EVENTS_CONSUMER.name, WEBHOOK_DELIVERY_FUNCTION.name, SIGNING_KEY_ROTATION.name];
    const scheduled = new Map(SCHEDULED_FUNCTIONS.map((definition) => [definition.name, definition.timeoutSeconds]));
    expect(scheduled.get('reconcile')).toBe(50);
    for (const [name, properties] of deployed) {
      expect(properties.Timeout, name).toBe(scheduled.get(name) ?? (name === 'customer-data' ? 29 : long.includes(name) ? 30 : 10));
    }
  });

  it('that store and push a chat message time out within the window a connection rechecks for (functions/domain/send-window.ts)', () => {
    expect(FUNCTION_TIMEOUT_SECONDS).toBe(10);
    expect(RECHECK_SECONDS).toBeGreaterThan(FUNCTION_TIMEOUT_SECONDS);
    for (const name of ['message', 'typing', 'read']) {
      expect(deployed.get(name)?.Timeout, name).toBeLessThanOrEqual(FUNCTION_TIMEOUT_SECONDS);
    }
  });

  it("are named <stack>-<name>, within Lambda's 64 characters", () => {
    for (const [name, properties] of deployed) {
      expect(properties.FunctionName, name).toBe(`Parley-${name}`);
      expect(String(properties.FunctionName).length, name).toBeLessThanOrEqual(64);
    }
  });

  it("log to their construct's one log group (one per concern, not per function), kept for one month", () => {
    const owners = {
      realtime: stack.realtime.functionLogGroup,
      http: stack.http.functionLogGroup,
      router: stack.router.functionLogGroup,
      scheduled: stack.scheduled.functionLogGroup,
      rotation: stack.signingKeyRotation.functionLogGroup,
    };
    const expectedGroup = (name: string) =>
      name === 'authorizer' || WEBSOCKET_ROUTES.some((route) => route.name === name)
        ? owners.realtime
        : HTTP_ROUTES.some((route) => route.name === name)
          ? owners.http
          : SCHEDULED_FUNCTIONS.some((scheduled) => scheduled.name === name)
            ? owners.scheduled
            : name === 'router' || name === EVENTS_CONSUMER.name || name === WEBHOOK_DELIVERY_FUNCTION.name
              ? owners.router
              : owners.rotation;
    for (const [name, properties] of deployed) {
      expect(properties.LoggingConfig, name).toEqual({ LogGroup: { Ref: logicalIdOf(expectedGroup(name)) } });
    }
    for (const group of Object.values(owners)) {
      expect(resources[logicalIdOf(group)]?.Properties.RetentionInDays).toBe(30);
    }
    // The function groups plus the two APIs' access logs: nothing per function.
    expect(Object.keys(resourcesOfType(template, 'AWS::Logs::LogGroup'))).toHaveLength(Object.keys(owners).length + 2);
  });

  it('each have their own role, with no AWS managed policies', () => {
    const roles = new Set<string>();
    for (const [name, properties] of deployed) {
      const roleId = (properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      expect(resources[roleId]?.Properties.ManagedPolicyArns, name).toBeUndefined();
      roles.add(roleId);
    }
    expect(roles.size).toBe(deployed.size);
  });
});

describe('Lambda environment', () => {
  // The mail settings are set only when the stack is given a mail identity (test/infra/mail.test.ts),
  // RETENTION_DAYS only with `retentionDays` (test/infra/attachments.test.ts).
  const configKeys = Object.keys(configSchema.shape).filter(
    (key) =>
      !(NOT_DEPLOYED as readonly string[]).includes(key) &&
      !(MAIL_SETTINGS as readonly string[]).includes(key) &&
      !(RETENTION_SETTINGS as readonly string[]).includes(key),
  );

  it('carries every variable functions/config.ts reads, on every function', () => {
    expect(configKeys).toEqual(
      expect.arrayContaining(['TABLE_NAME', 'SIGNING_KEYS_SECRET_ID', 'VERIFICATION_KEYS_SECRET_ID', 'WS_CALLBACK_URL']),
    );
    for (const [name, properties] of deployed) {
      expect(Object.keys(variablesOf(properties)), name).toEqual(expect.arrayContaining(configKeys));
    }
  });

  it('is the same on every function', () => {
    const environments = [...deployed.values()].map((properties) => JSON.stringify(variablesOf(properties)));
    expect(new Set(environments).size).toBe(1);
  });

  it('holds literal settings the handlers accept, and the operational defaults', () => {
    const variables = variablesOf(deployed.get('message')!);
    const shape = configSchema.shape as Record<string, (typeof configSchema.shape)[keyof typeof configSchema.shape]>;
    const literals = Object.entries(variables).filter(([key, value]) => key in shape && typeof value === 'string');
    expect(literals.length).toBeGreaterThanOrEqual(8);
    for (const [key, value] of literals) {
      expect(shape[key]!.safeParse(value).success, key).toBe(true);
    }
    expect(variables).toMatchObject({
      JWT_ISSUER: 'parley',
      JWT_AUDIENCE: 'parley',
      HEARTBEAT_SECONDS: '30',
      DEFAULT_SKILL: 'general',
      POWERTOOLS_SERVICE_NAME: 'parley',
      POWERTOOLS_METRICS_NAMESPACE: 'Parley',
      LOG_LEVEL: 'INFO',
    });
    // Source maps ship with the bundle but are not applied at runtime (their cost is on every stack trace).
    expect(variables.NODE_OPTIONS).toBeUndefined();
  });

  it('points at the table, the queue and the secrets by reference only', () => {
    const variables = variablesOf(deployed.get('message')!);
    expect(variables.TABLE_NAME).toEqual({ Ref: logicalIdOf(stack.storage.table) });
    expect(variables.ROUTING_QUEUE_URL).toEqual({ Ref: logicalIdOf(stack.routing.queue) });
    expect(variables.SIGNING_KEYS_SECRET_ID).toEqual({ Ref: logicalIdOf(stack.storage.signingKeysSecret) });
    expect(variables.VERIFICATION_KEYS_SECRET_ID).toEqual({ Ref: logicalIdOf(stack.storage.verificationKeysSecret) });
    expect(variables.UPSTASH_SECRET_ID).toBe('parley/upstash');
  });

  it('contains no secret value', () => {
    for (const [name, properties] of deployed) {
      const environment = JSON.stringify(variablesOf(properties));
      expect(environment, name).not.toMatch(/resolve:secretsmanager|SecretString|GetSecretValue/);
    }
    expect(JSON.stringify(template.toJSON())).not.toContain('{{resolve:secretsmanager');
  });
});
