import { afterEach, describe, expect, it } from 'vitest';
import { startRecordingGateway, type GatewayFixture } from './ws-fixture';
import { connect, eventually, sleep } from './ws-test-client';

let fixture: GatewayFixture | undefined;
afterEach(async () => {
  await fixture?.gateway.close();
  fixture = undefined;
});

describe('WebSocket gateway: routing frames', () => {
  it('routes on $request.body.action and falls back to $default', async () => {
    fixture = await startRecordingGateway();
    const client = await connect(fixture.gateway.url, 'allow:u1');
    client.send({ action: 'echo', text: 'hi' });
    expect(await client.nextJson()).toEqual({ route: 'echo', got: '{"action":"echo","text":"hi"}' });
    client.send({ action: 'nope' });
    expect(await client.nextJson()).toMatchObject({ route: '$default' });
    client.send('not json at all');
    expect(await client.nextJson()).toEqual({ route: '$default', got: 'not json at all' });
    client.send({ action: 42 });
    expect(await client.nextJson()).toMatchObject({ route: '$default' });
    client.send('["echo"]');
    expect(await client.nextJson()).toMatchObject({ route: '$default' });
    // Lifecycle routes can never be selected by a frame.
    client.send({ action: '$disconnect' });
    expect(await client.nextJson()).toMatchObject({ route: '$default' });
    expect(fixture.callsTo('$disconnect')).toHaveLength(0);
    await client.close();
  });

  it('passes binary frames to $default base64-encoded', async () => {
    fixture = await startRecordingGateway();
    const client = await connect(fixture.gateway.url, 'allow:u1');
    client.send(Buffer.from([0, 1, 2, 255]));
    await client.next();
    const [call] = fixture.callsTo('$default');
    expect(call?.event.body).toBe(Buffer.from([0, 1, 2, 255]).toString('base64'));
    expect(call?.event.isBase64Encoded).toBe(true);
    await client.close();
  });

  it('builds MESSAGE events with the authorizer context of the connection', async () => {
    fixture = await startRecordingGateway();
    const client = await connect(fixture.gateway.url, 'allow:bob');
    const connectionId = fixture.gateway.connectionIds()[0];
    client.send({ action: 'echo' });
    await client.next();
    client.send({ action: 'echo' });
    await client.next();
    const [first, second] = fixture.callsTo('echo');
    expect(first?.event.requestContext).toMatchObject({
      routeKey: 'echo',
      eventType: 'MESSAGE',
      messageDirection: 'IN',
      connectionId,
      stage: 'local',
      authorizer: { principalId: 'bob', userId: 'bob', role: 'customer' },
    });
    expect(first?.event.requestContext.messageId).toMatch(/^[A-Za-z0-9]{15}=$/);
    expect(first?.event.requestContext.messageId).not.toBe(second?.event.requestContext.messageId);
    expect(first?.event.requestContext.requestId).not.toBe(second?.event.requestContext.requestId);
    expect(first?.event.requestContext.connectedAt).toBe(second?.event.requestContext.connectedAt);
    expect(first?.event.isBase64Encoded).toBe(false);
    expect(first?.context.awsRequestId).not.toBe(second?.context.awsRequestId);
    await client.close();
  });

  it('sends a route response only for routes that reply, from a string or a body', async () => {
    fixture = await startRecordingGateway(
      { $default: async () => 'plain string reply', echo: async () => ({ statusCode: 200 }) },
      { silent: ['quiet'], routeKeys: ['$connect', '$disconnect', '$default', 'echo', 'quiet'] },
    );
    const client = await connect(fixture.gateway.url, 'allow:u1');
    client.send({ action: 'quiet' });
    client.send({ action: 'echo' });
    client.send('x');
    expect(await client.next()).toBe('plain string reply');
    // Quiet period: it can only let a late frame slip past on a slow machine, never fail a correct gateway.
    await sleep(50);
    expect(client.pending()).toEqual([]);
    expect(fixture.callsTo('quiet')).toHaveLength(1);
    expect(fixture.callsTo('echo')).toHaveLength(1);
    await client.close();
  });

  it("answers a failing handler with API Gateway's error frame and keeps the connection", async () => {
    fixture = await startRecordingGateway();
    const client = await connect(fixture.gateway.url, 'allow:u1');
    const connectionId = fixture.gateway.connectionIds()[0];
    client.send({ action: 'explode' });
    const frame = await client.nextJson();
    const [call] = fixture.callsTo('explode');
    expect(frame).toEqual({ message: 'Internal server error', connectionId, requestId: call?.event.requestContext.requestId });
    client.send({ action: 'echo' });
    expect(await client.nextJson()).toMatchObject({ route: 'echo' });
    expect(fixture.logs).toContainEqual(expect.objectContaining({ routeKey: 'explode', status: 'error' }));
    await client.close();
  });

  it('answers Forbidden when nothing matches and there is no $default route', async () => {
    fixture = await startRecordingGateway({}, { routeKeys: ['$connect', 'echo'] });
    const client = await connect(fixture.gateway.url, 'allow:u1');
    client.send({ action: 'other' });
    expect(await client.nextJson()).toMatchObject({ message: 'Forbidden', connectionId: fixture.gateway.connectionIds()[0] });
    await client.close();
  });

  it("handles one connection's frames in arrival order, one at a time", async () => {
    let running = 0;
    let overlapped = false;
    fixture = await startRecordingGateway({
      echo: async (event) => {
        running += 1;
        if (running > 1) overlapped = true;
        const { delay } = JSON.parse(event.body ?? '{}') as { delay: number };
        await sleep(delay);
        running -= 1;
        return { body: event.body };
      },
    });
    const client = await connect(fixture.gateway.url, 'allow:u1');
    const delays = [40, 5, 20, 0];
    for (const delay of delays) client.send({ action: 'echo', delay });
    const replies = [];
    for (let index = 0; index < delays.length; index += 1) replies.push((await client.nextJson()).delay);
    expect(replies).toEqual(delays);
    expect(overlapped).toBe(false);
    await client.close();
  });

  it('keeps connections independent: each sees only its own replies', async () => {
    fixture = await startRecordingGateway();
    const alice = await connect(fixture.gateway.url, 'allow:alice');
    const bob = await connect(fixture.gateway.url, 'allow:bob');
    expect(fixture.gateway.connectionIds()).toHaveLength(2);
    alice.send({ action: 'echo', who: 'alice' });
    bob.send({ action: 'echo', who: 'bob' });
    expect(String((await alice.nextJson()).got)).toContain('alice');
    expect(String((await bob.nextJson()).got)).toContain('bob');
    const principals = fixture
      .callsTo('echo')
      .map((call) => call.event.requestContext.authorizer?.principalId)
      .sort();
    expect(principals).toEqual(['alice', 'bob']);
    await alice.close();
    await bob.close();
    await eventually(() => fixture?.callsTo('$disconnect').length === 2);
  });
});
