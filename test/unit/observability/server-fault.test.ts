import type { APIGatewayProxyEventV2, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from '../../../functions/shared/zod';
import { DynamoStoreError } from '../../../functions/adapters/dynamodb/errors';
import { ConnectionsApiError } from '../../../functions/adapters/apigw/connection-notifier';
import { InboundMailBucketError } from '../../../functions/adapters/s3/inbound-mail-bucket';
import { SecretsError } from '../../../functions/adapters/secrets/secret-source';
import { SesMailerError } from '../../../functions/adapters/ses/ses-mailer';
import { QueueError } from '../../../functions/adapters/sqs/routing-queue';
import { HotStateError } from '../../../functions/adapters/upstash/agent-presence';
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  UnauthorizedError,
} from '../../../functions/domain/errors';
import { handler as authorizer } from '../../../functions/handlers/ws/authorizer';
import { httpHandler } from '../../../functions/handlers/shared/http';
import { faultDependency } from '../../../functions/handlers/shared/server-fault';
import { actionHandler, type WebSocketEvent } from '../../../functions/handlers/shared/websocket';
import type { Ports } from '../../../functions/services/context';
import { logger } from '../../../functions/shared/observability';
import { type Wiring, withWiring } from '../../../functions/wiring';
import { captureEmf } from '../../support/emf';

/** Ports for the handler wrappers: a clock and limits that always allow; `tokens` as given. */
function wiring(tokens: Partial<Ports['tokens']> = {}): Wiring {
  const ports = {
    clock: { now: () => new Date('2026-06-01T12:00:00Z') },
    rateLimiter: { consume: async (checks: readonly unknown[]) => checks.map(() => ({ outcome: 'allowed' })) },
    tokens,
  } as unknown as Ports;
  return { ports } as unknown as Wiring;
}

const wsEvent = (body: unknown): WebSocketEvent => ({
  body: JSON.stringify(body),
  requestContext: {
    connectionId: 'conn-1',
    routeKey: 'message',
    requestId: 'req-1',
    authorizer: { userId: 'guest:ann', role: 'customer', expiresAt: 4_102_444_800, issuedAt: 1 },
  },
});

let emf: ReturnType<typeof captureEmf>;
let errors: Array<{ message: string; extra: Record<string, unknown> }>;
beforeEach(() => {
  emf = captureEmf();
  errors = [];
  vi.spyOn(logger, 'error').mockImplementation((...args: unknown[]) => {
    errors.push({ message: String(args[0]), extra: (args[1] ?? {}) as Record<string, unknown> });
  });
  vi.spyOn(logger, 'info').mockImplementation(() => undefined);
});
afterEach(() => {
  emf.stop();
  vi.restoreAllMocks();
});

const faults = () =>
  emf
    .metrics()
    .filter((metric) => metric.name === 'ServerFault')
    .map(({ unit, dimensions }) => ({ unit, dimensions }));

describe('faultDependency', () => {
  it.each([
    [new DynamoStoreError('x'), 'dynamodb'],
    [new HotStateError('x'), 'redis'],
    [new QueueError('x'), 'sqs'],
    [new ConnectionsApiError('x'), 'apigw'],
    [new SecretsError('x'), 'secrets'],
    [new SesMailerError('x'), 'ses'],
    [new InboundMailBucketError('x'), 's3'],
    [new Error('bug'), 'unknown'],
  ])('classifies %s as %s', (error, dependency) => {
    expect(faultDependency(error)).toBe(dependency);
  });

  it('follows causes to the adapter that threw', () => {
    expect(faultDependency(new Error('wrapped', { cause: new Error('again', { cause: new SecretsError('down') }) }))).toBe('secrets');
  });
});

describe('ServerFault', () => {
  const failing = (error: unknown) =>
    actionHandler('message', z.object({ action: z.literal('message') }), async () => Promise.reject(error));

  it('a WebSocket action failing on a dependency: unavailable frame, ServerFault twice (service only; route and dependency), one ERROR line', async () => {
    const result = await withWiring(wiring(), () =>
      failing(new DynamoStoreError('DynamoDB PutItem failed'))(wsEvent({ action: 'message', clientMsgId: 'm-1' })),
    );
    expect(JSON.parse(result.body!)).toMatchObject({ type: 'error', code: 'unavailable', clientMsgId: 'm-1' });
    expect(faults()).toEqual([
      { unit: 'Count', dimensions: { service: 'parley' } },
      { unit: 'Count', dimensions: { service: 'parley', route: 'message', dependency: 'dynamodb' } },
    ]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.extra).toMatchObject({ route: 'message', dependency: 'dynamodb' });
  });

  it.each([
    new BadRequestError('bad'),
    new ForbiddenError('no'),
    new ConflictError('changed'),
    new NotFoundError('none'),
    new RateLimitedError('slow down', 1000),
    new UnauthorizedError('expired'),
  ])('a client error (%s) is no fault: nothing counted, nothing at ERROR', async (error) => {
    await withWiring(wiring(), () => failing(error)(wsEvent({ action: 'message' })));
    expect(faults()).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('an HTTP route failing on Redis: 503 and ServerFault by `http:<route key>`', async () => {
    const route = httpHandler({ name: 'queues', authenticated: false }, async () => Promise.reject(new HotStateError('EVALSHA failed')));
    const event = {
      routeKey: 'GET /v1/queues',
      headers: {},
      requestContext: { requestId: 'r', http: { sourceIp: '192.0.2.1' } },
    } as unknown as APIGatewayProxyEventV2;
    const result = await withWiring(wiring(), () => route(event));
    expect(result.statusCode).toBe(503);
    expect(faults()).toEqual([
      { unit: 'Count', dimensions: { service: 'parley' } },
      { unit: 'Count', dimensions: { service: 'parley', route: 'http:GET /v1/queues', dependency: 'redis' } },
    ]);
  });
});

describe('the $connect authorizer', () => {
  const event = {
    queryStringParameters: { token: 'a.b.c' },
    methodArn: 'arn:aws:execute-api:us-east-1:1:api/prod/$connect',
  } as unknown as APIGatewayRequestAuthorizerEvent;

  it('answers a Secrets Manager failure with a server error (API Gateway: 500), not Deny, and counts the fault', async () => {
    const tokens = { verify: async () => Promise.reject(new SecretsError('Could not read secret verification-keys')) };
    const outcome = await withWiring(wiring(tokens), () => authorizer(event)).catch((error: unknown) => error);
    expect(outcome).toBeInstanceOf(Error);
    expect((outcome as Error).message).not.toBe('Unauthorized');
    expect(faults()).toEqual([
      { unit: 'Count', dimensions: { service: 'parley' } },
      { unit: 'Count', dimensions: { service: 'parley', route: 'authorizer', dependency: 'secrets' } },
    ]);
  });

  it('still denies a token that does not verify (403), counting nothing', async () => {
    const tokens = { verify: async () => Promise.reject(new UnauthorizedError('The token is not valid')) };
    const result = await withWiring(wiring(tokens), () => authorizer(event));
    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
    expect(faults()).toEqual([]);
  });

  it('still answers Unauthorized (401) without a token', async () => {
    await expect(authorizer({ ...event, queryStringParameters: {} })).rejects.toThrow(/^Unauthorized$/);
  });
});
