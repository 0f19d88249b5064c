import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { startRecordingGateway, type GatewayFixture } from './ws-fixture';
import { connect, eventually, sleep } from './ws-test-client';

let fixture: GatewayFixture | undefined;
afterEach(async () => {
  await fixture?.gateway.close();
  fixture = undefined;
});

describe('WebSocket gateway: limits and disconnects', () => {
  it('closes with 1009 on a frame over 32 KB, then runs $disconnect', async () => {
    fixture = await startRecordingGateway();
    const client = await connect(fixture.gateway.url, 'allow:u1');
    client.send(JSON.stringify({ action: 'echo', pad: 'x'.repeat(33 * 1024) }));
    expect((await client.closed).code).toBe(1009);
    await eventually(() => fixture?.callsTo('$disconnect').length === 1);
    expect(fixture.callsTo('echo')).toHaveLength(0);
    expect(fixture.callsTo('$disconnect')[0]?.event.requestContext).toMatchObject({
      disconnectStatusCode: 1009,
      disconnectReason: 'Message too big',
    });
  });

  it('accepts a frame just under the limit', async () => {
    fixture = await startRecordingGateway({ echo: async () => ({ body: 'ok' }) });
    const client = await connect(fixture.gateway.url, 'allow:u1');
    const frame = JSON.stringify({ action: 'echo', pad: '' });
    client.send(JSON.stringify({ action: 'echo', pad: 'x'.repeat(32 * 1024 - frame.length) }));
    expect(await client.next()).toBe('ok');
    await client.close();
  });

  it('closes an idle connection with 1001 Going away; client frames keep it alive', async () => {
    // `busy` sends every 50 ms until `idle` is closed: only a stall of 30 times that could
    // let `busy` lapse, and however long the idle close takes, the loop waits for it.
    fixture = await startRecordingGateway({}, { idleTimeoutMs: 1_500 });
    const idle = await connect(fixture.gateway.url, 'allow:idle');
    const busy = await connect(fixture.gateway.url, 'allow:busy');
    let idleClosed = false;
    void idle.closed.then(() => (idleClosed = true));
    while (!idleClosed) {
      await sleep(50);
      if (busy.socket.readyState === WebSocket.OPEN) busy.send({ action: 'echo' });
    }
    expect(await idle.closed).toEqual({ code: 1001, reason: 'Going away' });
    expect(busy.socket.readyState).toBe(WebSocket.OPEN);
    expect((await busy.closed).code).toBe(1001);
    await eventually(() => fixture?.callsTo('$disconnect').length === 2);
    const idleDisconnect = fixture.callsTo('$disconnect').find((call) => call.event.requestContext.authorizer?.principalId === 'idle');
    expect(idleDisconnect?.event.requestContext).toMatchObject({ disconnectStatusCode: 1001, disconnectReason: 'Going away' });
  });

  it('closes a connection with 1001 when its maximum duration is reached, however active', async () => {
    fixture = await startRecordingGateway({}, { maxDurationMs: 300 });
    const started = Date.now();
    const client = await connect(fixture.gateway.url, 'allow:u1');
    const pinger = setInterval(() => client.send({ action: 'echo' }), 50);
    const closed = await client.closed;
    clearInterval(pinger);
    expect(closed).toEqual({ code: 1001, reason: 'Going away' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(295);
    await eventually(() => fixture?.callsTo('$disconnect').length === 1);
  });

  it('runs $disconnect exactly once, with the authorizer context and the client close status', async () => {
    fixture = await startRecordingGateway();
    const client = await connect(fixture.gateway.url, 'allow:carol');
    const connectionId = fixture.gateway.connectionIds()[0];
    client.socket.close(4001, 'tab closed');
    await client.closed;
    await eventually(() => fixture?.callsTo('$disconnect').length === 1);
    // Quiet period: it can only let a late second $disconnect slip past on a slow machine, never fail a correct gateway.
    await sleep(50);
    const disconnects = fixture.callsTo('$disconnect');
    expect(disconnects).toHaveLength(1);
    expect(disconnects[0]?.event.requestContext).toMatchObject({
      routeKey: '$disconnect',
      eventType: 'DISCONNECT',
      connectionId,
      disconnectStatusCode: 4001,
      disconnectReason: 'tab closed',
      authorizer: { principalId: 'carol', userId: 'carol', role: 'customer', score: 7, vip: true },
    });
    expect(fixture.gateway.connectionIds()).toEqual([]);
  });

  it('runs $disconnect after the frames already queued for the connection', async () => {
    const order: string[] = [];
    fixture = await startRecordingGateway({
      echo: async () => {
        order.push('echo started');
        await sleep(60); // a slow handler
        order.push('echo');
        return {};
      },
      $disconnect: async () => {
        order.push('$disconnect');
        return {};
      },
    });
    const client = await connect(fixture.gateway.url, 'allow:u1');
    client.send({ action: 'echo' });
    await eventually(() => order.includes('echo started'));
    await client.close();
    await eventually(() => order.length === 3);
    expect(order).toEqual(['echo started', 'echo', '$disconnect']);
  });

  it('kill() drops the socket abruptly and still runs $disconnect once', async () => {
    fixture = await startRecordingGateway();
    const client = await connect(fixture.gateway.url, 'allow:u1');
    const [connectionId] = fixture.gateway.connectionIds();
    fixture.gateway.kill(connectionId as string);
    expect((await client.closed).code).toBe(1006);
    await eventually(() => fixture?.callsTo('$disconnect').length === 1);
    expect(fixture.callsTo('$disconnect')[0]?.event.requestContext.connectionId).toBe(connectionId);
    expect(fixture.gateway.connectionIds()).toEqual([]);
  });

  it('close() closes every socket and waits for every $disconnect', async () => {
    fixture = await startRecordingGateway({
      $disconnect: async () => {
        await sleep(30);
        return {};
      },
    });
    const clients = await Promise.all(['a', 'b', 'c'].map((user) => connect(fixture!.gateway.url, `allow:${user}`)));
    await fixture.gateway.close();
    expect(fixture.callsTo('$disconnect')).toHaveLength(3);
    for (const client of clients) expect((await client.closed).code).toBe(1001);
    fixture = undefined;
  });

  it('still runs $disconnect when the client leaves while $connect is running', async () => {
    let releaseConnect: () => void = () => undefined;
    fixture = await startRecordingGateway({
      $connect: () => new Promise((resolve) => (releaseConnect = () => resolve({ statusCode: 200 }))),
    });
    const socket = new WebSocket(`${fixture.gateway.url}?token=allow:u1`);
    socket.on('error', () => undefined);
    await eventually(() => fixture?.callsTo('$connect').length === 1);
    socket.terminate();
    // Lets the gateway see the close before $connect returns; on a slow machine it may see it
    // after, which takes the ordinary close path and must pass the same checks.
    await sleep(30);
    releaseConnect();
    await eventually(() => fixture?.callsTo('$disconnect').length === 1);
    expect(fixture.callsTo('$disconnect')[0]?.event.requestContext.authorizer?.principalId).toBe('u1');
    expect(fixture.gateway.connectionIds()).toEqual([]);
  });
});
