import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PayloadTooLargeException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterEach, describe, expect, it } from 'vitest';
import { startRecordingGateway, type GatewayFixture } from './ws-fixture';
import { connect, eventually, sleep } from './ws-test-client';

let fixture: GatewayFixture | undefined;
let client: ApiGatewayManagementApiClient | undefined;
afterEach(async () => {
  client?.destroy();
  await fixture?.gateway.close();
  fixture = undefined;
});

function managementClient(endpoint: string): ApiGatewayManagementApiClient {
  client = new ApiGatewayManagementApiClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
  });
  return client;
}

const post = (connectionId: string, data: string | Uint8Array): PostToConnectionCommand =>
  new PostToConnectionCommand({ ConnectionId: connectionId, Data: typeof data === 'string' ? new TextEncoder().encode(data) : data });

describe('WebSocket gateway: management API through the AWS SDK', () => {
  it('posts a text frame to an open connection', async () => {
    fixture = await startRecordingGateway();
    const sdk = managementClient(fixture.gateway.callbackUrl);
    const ws = await connect(fixture.gateway.url, 'allow:u1');
    const [connectionId] = fixture.gateway.connectionIds();
    const output = await sdk.send(post(connectionId as string, '{"type":"pong"}'));
    expect(output.$metadata.httpStatusCode).toBe(200);
    expect(await ws.next()).toBe('{"type":"pong"}');
    await ws.close();
  });

  it('describes a connection with GetConnection', async () => {
    fixture = await startRecordingGateway();
    const sdk = managementClient(fixture.gateway.callbackUrl);
    const before = Date.now();
    const ws = await connect(fixture.gateway.url, 'allow:u1');
    const [connectionId] = fixture.gateway.connectionIds();
    await sleep(20); // LastActiveAt must be later than ConnectedAt; a slow machine only widens the gap
    ws.send({ action: 'echo' });
    await ws.next();
    const output = await sdk.send(new GetConnectionCommand({ ConnectionId: connectionId }));
    expect(output.Identity).toEqual({ SourceIp: '127.0.0.1', UserAgent: 'gateway-test/1.0' });
    expect(output.ConnectedAt).toBeInstanceOf(Date);
    expect(output.ConnectedAt!.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(output.LastActiveAt!.getTime()).toBeGreaterThan(output.ConnectedAt!.getTime());
    await ws.close();
  });

  it('DeleteConnection closes the socket normally and triggers $disconnect', async () => {
    fixture = await startRecordingGateway();
    const sdk = managementClient(fixture.gateway.callbackUrl);
    const ws = await connect(fixture.gateway.url, 'allow:u1');
    const [connectionId] = fixture.gateway.connectionIds();
    const output = await sdk.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    expect(output.$metadata.httpStatusCode).toBe(204);
    expect((await ws.closed).code).toBe(1000);
    await eventually(() => fixture?.callsTo('$disconnect').length === 1);
    expect(fixture.callsTo('$disconnect')[0]?.event.requestContext.disconnectStatusCode).toBe(1000);
    await expect(sdk.send(post(connectionId as string, 'late'))).rejects.toBeInstanceOf(GoneException);
  });

  it('answers GoneException for unknown and closed connections, for every operation', async () => {
    fixture = await startRecordingGateway();
    const sdk = managementClient(fixture.gateway.callbackUrl);
    await expect(sdk.send(post('AAAAAAAAAAAAAAA=', 'x'))).rejects.toBeInstanceOf(GoneException);
    await expect(sdk.send(new GetConnectionCommand({ ConnectionId: 'AAAAAAAAAAAAAAA=' }))).rejects.toBeInstanceOf(GoneException);
    await expect(sdk.send(new DeleteConnectionCommand({ ConnectionId: 'nope' }))).rejects.toBeInstanceOf(GoneException);
    const ws = await connect(fixture.gateway.url, 'allow:u1');
    const [connectionId] = fixture.gateway.connectionIds();
    await ws.close();
    await eventually(() => fixture?.callsTo('$disconnect').length === 1);
    const error = await sdk.send(post(connectionId as string, 'x')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GoneException);
    expect((error as GoneException).$metadata.httpStatusCode).toBe(410);
  });

  it('answers GoneException to a connection whose $connect is still running, as AWS does', async () => {
    let postOutcome: unknown;
    fixture = await startRecordingGateway({
      $connect: async (event) => {
        postOutcome = await client!.send(post(event.requestContext.connectionId, 'too early')).catch((caught: unknown) => caught);
        return { statusCode: 200 };
      },
    });
    managementClient(fixture.gateway.callbackUrl);
    const ws = await connect(fixture.gateway.url, 'allow:u1');
    expect(postOutcome).toBeInstanceOf(GoneException);
    // Quiet period: it can only let a late frame slip past on a slow machine, never fail a correct gateway.
    await sleep(30);
    expect(ws.pending()).toEqual([]);
    await ws.close();
  });

  it('refuses posts over 128 KB with PayloadTooLargeException and accepts exactly 128 KB', async () => {
    fixture = await startRecordingGateway();
    const sdk = managementClient(fixture.gateway.callbackUrl);
    const ws = await connect(fixture.gateway.url, 'allow:u1');
    const [connectionId] = fixture.gateway.connectionIds();
    const tooBig = sdk.send(post(connectionId as string, 'x'.repeat(128 * 1024 + 1)));
    await expect(tooBig).rejects.toBeInstanceOf(PayloadTooLargeException);
    await sdk.send(post(connectionId as string, 'y'.repeat(128 * 1024)));
    expect((await ws.next()).length).toBe(128 * 1024);
    expect(fixture.gateway.connectionIds()).toEqual([connectionId]);
    await ws.close();
  });

  it('answers AWS-shaped errors to raw HTTP callers', async () => {
    fixture = await startRecordingGateway();
    const gone = await fetch(`${fixture.gateway.callbackUrl}/@connections/unknown%3D`, { method: 'POST', body: 'x' });
    expect(gone.status).toBe(410);
    expect(gone.headers.get('x-amzn-errortype')).toBe('GoneException');
    expect(await gone.json()).toEqual({ message: null });
    const wrongMethod = await fetch(`${fixture.gateway.callbackUrl}/@connections/abc`, { method: 'PUT', body: 'x' });
    expect(wrongMethod.status).toBe(403);
    expect(wrongMethod.headers.get('x-amzn-errortype')).toBe('ForbiddenException');
    const malformed = await fetch(`${fixture.gateway.callbackUrl}/@connections/%E0%A4%A`, { method: 'POST', body: 'x' });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('x-amzn-errortype')).toBe('BadRequestException');
    const elsewhere = await fetch(`http://127.0.0.1:${fixture.gateway.port}/other`);
    expect(elsewhere.status).toBe(404);
  });
});
