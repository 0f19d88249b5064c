import { afterEach, describe, expect, it } from 'vitest';
import { startRecordingGateway, type GatewayFixture } from './ws-fixture';
import { connect, eventually, refusal, sleep } from './ws-test-client';

let fixture: GatewayFixture | undefined;
afterEach(async () => {
  await fixture?.gateway.close();
  fixture = undefined;
});

const REQUEST_TIME = /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/;

describe('WebSocket gateway: connecting', () => {
  it('exposes ws and callback URLs on an ephemeral port', async () => {
    fixture = await startRecordingGateway();
    const { gateway } = fixture;
    expect(gateway.port).toBeGreaterThan(0);
    expect(gateway.url).toBe(`ws://127.0.0.1:${gateway.port}/local`);
    expect(gateway.callbackUrl).toBe(`http://127.0.0.1:${gateway.port}/local`);
  });

  it('refuses a missing or empty token with 401 without invoking the authorizer', async () => {
    fixture = await startRecordingGateway();
    expect((await refusal(fixture.gateway.url)).status).toBe(401);
    expect((await refusal(`${fixture.gateway.url}?token=`)).status).toBe(401);
    expect(fixture.authorizerEvents).toHaveLength(0);
    expect(fixture.callsTo('$connect')).toHaveLength(0);
  });

  it('answers 404 for upgrades on any path but /<stage>', async () => {
    fixture = await startRecordingGateway();
    const base = `ws://127.0.0.1:${fixture.gateway.port}`;
    expect((await refusal(`${base}/prod?token=allow:u1`)).status).toBe(404);
    expect((await refusal(`${base}/local/extra?token=allow:u1`)).status).toBe(404);
    expect(fixture.authorizerEvents).toHaveLength(0);
  });

  it('refuses with 403 when the policy denies, without running $connect', async () => {
    fixture = await startRecordingGateway();
    const refused = await refusal(`${fixture.gateway.url}?token=deny`);
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toEqual({ message: 'Forbidden' });
    expect(fixture.authorizerEvents).toHaveLength(1);
    expect(fixture.callsTo('$connect')).toHaveLength(0);
  });

  it('maps an authorizer Unauthorized error to 401, other failures and bad contexts to 500', async () => {
    fixture = await startRecordingGateway();
    expect((await refusal(`${fixture.gateway.url}?token=unauthorized`)).status).toBe(401);
    expect((await refusal(`${fixture.gateway.url}?token=boom`)).status).toBe(500);
    expect((await refusal(`${fixture.gateway.url}?token=bad-context`)).status).toBe(500);
    expect(fixture.callsTo('$connect')).toHaveLength(0);
    expect(fixture.gateway.connectionIds()).toEqual([]);
  });

  it('builds a REQUEST authorizer event like API Gateway', async () => {
    fixture = await startRecordingGateway({}, { apiId: 'abc123' });
    const client = await connect(fixture.gateway.url, 'allow:u1');
    const [event] = fixture.authorizerEvents;
    expect(event).toMatchObject({
      type: 'REQUEST',
      methodArn: 'arn:aws:execute-api:us-east-1:000000000000:abc123/local/$connect',
      queryStringParameters: { token: 'allow:u1' },
      multiValueQueryStringParameters: { token: ['allow:u1'] },
      stageVariables: {},
      requestContext: {
        routeKey: '$connect',
        eventType: 'CONNECT',
        messageDirection: 'IN',
        stage: 'local',
        apiId: 'abc123',
        domainName: `127.0.0.1:${fixture.gateway.port}`,
        identity: { sourceIp: '127.0.0.1', userAgent: 'gateway-test/1.0' },
      },
    });
    expect(event?.headers?.['User-Agent']).toBe('gateway-test/1.0');
    expect(event?.multiValueHeaders?.['Sec-WebSocket-Version']).toEqual(['13']);
    expect(event?.requestContext.connectionId).toMatch(/^[A-Za-z0-9]{15}=$/);
    expect(event?.requestContext.requestTime).toMatch(REQUEST_TIME);
    expect(fixture.gateway.connectionIds()).toEqual([event?.requestContext.connectionId]);
    await client.close();
  });

  it('runs $connect with the authorizer context, then opens the socket', async () => {
    fixture = await startRecordingGateway();
    const client = await connect(fixture.gateway.url, 'allow:alice');
    const [call] = fixture.callsTo('$connect');
    const context = call?.event.requestContext;
    expect(context).toMatchObject({
      routeKey: '$connect',
      eventType: 'CONNECT',
      stage: 'local',
      apiId: 'local',
      authorizer: { principalId: 'alice', userId: 'alice', role: 'customer', score: 7, vip: true },
    });
    expect(context?.connectionId).toBe(fixture.authorizerEvents[0]?.requestContext.connectionId);
    expect(context?.extendedRequestId).toBe(context?.requestId);
    expect(typeof context?.authorizer?.integrationLatency).toBe('number');
    expect(call?.event.queryStringParameters).toEqual({ token: 'allow:alice' });
    expect(call?.event.isBase64Encoded).toBe(false);
    expect(call?.context.functionName).toBe('ws-connect');
    expect(call?.context.getRemainingTimeInMillis()).toBeGreaterThan(0);
    await client.close();
  });

  it('refuses the upgrade with the status $connect returns, or 500 when it throws', async () => {
    fixture = await startRecordingGateway({
      $connect: async (event) => {
        const token = event.queryStringParameters?.token;
        if (token === 'allow:banned') return { statusCode: 429 };
        if (token === 'allow:crash') throw new Error('connect crashed');
        return { statusCode: 200 };
      },
    });
    expect((await refusal(`${fixture.gateway.url}?token=allow:banned`)).status).toBe(429);
    expect((await refusal(`${fixture.gateway.url}?token=allow:crash`)).status).toBe(500);
    // Quiet period: it can only let a late $disconnect slip past on a slow machine, never fail a correct gateway.
    await sleep(50);
    // A refused $connect owes no $disconnect.
    expect(fixture.callsTo('$disconnect')).toHaveLength(0);
    const fine = await connect(fixture.gateway.url, 'allow:fine');
    expect(fixture.gateway.connectionIds()).toHaveLength(1);
    await fine.close();
    await eventually(() => fixture?.callsTo('$disconnect').length === 1);
  });

  it('accepts a $connect that returns nothing', async () => {
    fixture = await startRecordingGateway({ $connect: async () => undefined });
    const client = await connect(fixture.gateway.url, 'allow:u1');
    expect(fixture.gateway.connectionIds()).toHaveLength(1);
    await client.close();
  });

  it('logs each invocation with route, connection, duration and status', async () => {
    fixture = await startRecordingGateway();
    const client = await connect(fixture.gateway.url, 'allow:u1');
    const connectionId = fixture.gateway.connectionIds()[0];
    expect(fixture.logs).toContainEqual(
      expect.objectContaining({ source: 'websocket-gateway', routeKey: '$connect', connectionId, status: 200, ms: expect.any(Number) }),
    );
    await client.close();
  });
});
