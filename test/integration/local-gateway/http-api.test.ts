import { request } from 'node:http';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { startHttpApi, type HttpApi, type HttpApiOptions } from '../../../local/gateway/http-api';

interface Recorded {
  readonly event: APIGatewayProxyEventV2;
  readonly context: Context;
}

let api: HttpApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function startRecordingApi(
  respond: (event: APIGatewayProxyEventV2) => Promise<unknown> = async () => ({ statusCode: 200, body: 'ok' }),
  options: Partial<HttpApiOptions> = {},
): Promise<{ api: HttpApi; calls: Recorded[] }> {
  const calls: Recorded[] = [];
  const handler = async (event: APIGatewayProxyEventV2, context: Context): Promise<unknown> => {
    calls.push({ event, context });
    return respond(event);
  };
  api = await startHttpApi({
    port: 0,
    routes: [
      { method: 'POST', path: '/v1/auth/guest', handler },
      { method: 'GET', path: '/v1/conversations', handler },
      { method: 'GET', path: '/v1/conversations/{id}/messages', handler, name: 'list-messages' },
      { method: 'GET', path: '/v1/conversations/mine/messages', handler },
      { method: 'GET', path: '/files/{path+}', handler },
    ],
    ...options,
  });
  return { api, calls };
}

describe('HTTP API emulator', () => {
  it('translates a request into a payload format 2.0 event', async () => {
    const { api, calls } = await startRecordingApi();
    const response = await fetch(`${api.url}/v1/conversations/c%201/messages?after=3&limit=50&tag=a&tag=b`, {
      headers: { 'User-Agent': 'http-test/1.0', 'X-Custom': 'one', Cookie: 'session=abc; theme=dark' },
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok');
    const [call] = calls;
    const event = call?.event;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /v1/conversations/{id}/messages',
      rawPath: '/v1/conversations/c%201/messages',
      rawQueryString: 'after=3&limit=50&tag=a&tag=b',
      cookies: ['session=abc', 'theme=dark'],
      queryStringParameters: { after: '3', limit: '50', tag: 'a,b' },
      pathParameters: { id: 'c 1' },
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: `127.0.0.1:${api.port}`,
        domainPrefix: '127',
        http: {
          method: 'GET',
          path: '/v1/conversations/c%201/messages',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'http-test/1.0',
        },
        routeKey: 'GET /v1/conversations/{id}/messages',
        stage: '$default',
      },
    });
    expect(event?.headers).toMatchObject({ 'x-custom': 'one', 'user-agent': 'http-test/1.0', 'x-forwarded-for': '127.0.0.1' });
    expect(event?.headers).not.toHaveProperty('cookie');
    expect(event?.body).toBeUndefined();
    expect(event?.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(Math.abs((event?.requestContext.timeEpoch ?? 0) - Date.now())).toBeLessThan(5_000);
    expect(response.headers.get('apigw-requestid')).toBe(event?.requestContext.requestId);
    expect(call?.context.functionName).toBe('list-messages');
  });

  it('joins repeated headers with commas and omits absent optional fields', async () => {
    const { api, calls } = await startRecordingApi();
    // Two separate header lines (fetch would merge them before sending).
    await new Promise<void>((resolve, reject) => {
      const req = request(`${api.url}/v1/conversations`, (res) => res.resume().on('end', resolve));
      req.setHeader('X-Multi', ['a', 'b']);
      req.on('error', reject).end();
    });
    const event = calls[0]?.event;
    expect(event?.headers['x-multi']).toBe('a,b');
    expect(event?.rawQueryString).toBe('');
    expect(event).not.toHaveProperty('queryStringParameters');
    expect(event).not.toHaveProperty('pathParameters');
    expect(event).not.toHaveProperty('cookies');
  });

  it('passes JSON bodies as text and other bodies base64-encoded', async () => {
    const { api, calls } = await startRecordingApi();
    await fetch(`${api.url}/v1/auth/guest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"Ann"}' });
    await fetch(`${api.url}/v1/auth/guest`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array([1, 2, 3]),
    });
    expect(calls[0]?.event).toMatchObject({ body: '{"name":"Ann"}', isBase64Encoded: false, routeKey: 'POST /v1/auth/guest' });
    expect(calls[1]?.event).toMatchObject({ body: Buffer.from([1, 2, 3]).toString('base64'), isBase64Encoded: true });
  });

  it('prefers the most specific route and supports greedy path variables', async () => {
    const { api, calls } = await startRecordingApi();
    await fetch(`${api.url}/v1/conversations/mine/messages`);
    await fetch(`${api.url}/files/a/b/c.txt`);
    expect(calls[0]?.event.routeKey).toBe('GET /v1/conversations/mine/messages');
    expect(calls[1]?.event).toMatchObject({ routeKey: 'GET /files/{path+}', pathParameters: { path: 'a/b/c.txt' } });
  });

  it('maps structured results, plain values and failures as HTTP API does', async () => {
    const { api } = await startRecordingApi(async (event) => {
      switch (event.queryStringParameters?.mode) {
        case 'structured':
          return { statusCode: 201, headers: { 'X-Thing': 'yes', 'content-type': 'text/plain' }, cookies: ['a=1', 'b=2'], body: 'made' };
        case 'binary':
          return { statusCode: 200, body: Buffer.from('bytes!').toString('base64'), isBase64Encoded: true };
        case 'object':
          return { hello: 'world' };
        case 'string':
          return 'just text';
        case 'malformed':
          return { statusCode: 'nope' };
        default:
          throw new Error('handler failed');
      }
    });
    const structured = await fetch(`${api.url}/v1/conversations?mode=structured`);
    expect(structured.status).toBe(201);
    expect(structured.headers.get('x-thing')).toBe('yes');
    expect(structured.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await structured.text()).toBe('made');
    expect(await (await fetch(`${api.url}/v1/conversations?mode=binary`)).text()).toBe('bytes!');
    const object = await fetch(`${api.url}/v1/conversations?mode=object`);
    expect(object.status).toBe(200);
    expect(object.headers.get('content-type')).toBe('application/json');
    expect(await object.json()).toEqual({ hello: 'world' });
    expect(await (await fetch(`${api.url}/v1/conversations?mode=string`)).text()).toBe('just text');
    const malformed = await fetch(`${api.url}/v1/conversations?mode=malformed`);
    expect(malformed.status).toBe(500);
    const failed = await fetch(`${api.url}/v1/conversations?mode=throw`);
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ message: 'Internal Server Error' });
  });

  it('answers 404 Not Found when no route matches, including a wrong method', async () => {
    const { api, calls } = await startRecordingApi();
    for (const [method, path] of [
      ['GET', '/v2/nothing'],
      ['DELETE', '/v1/conversations'],
      ['GET', '/v1/conversations/'],
    ]) {
      const response = await fetch(`${api.url}${path}`, { method });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ message: 'Not Found' });
    }
    expect(calls).toHaveLength(0);
  });

  it('hands unmatched requests to the fallback, which may decline', async () => {
    await startRecordingApi(undefined, {
      fallback: (req, res) => {
        if (req.url !== '/index.html') return false;
        res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>hi</h1>');
        return true;
      },
    });
    expect(await (await fetch(`${api!.url}/index.html`)).text()).toBe('<h1>hi</h1>');
    expect((await fetch(`${api!.url}/missing.html`)).status).toBe(404);
    expect((await fetch(`${api!.url}/v1/conversations`)).status).toBe(200);
  });

  it('answers 413 for bodies over the limit without invoking the handler', async () => {
    const { api, calls } = await startRecordingApi(undefined, { maxBodyBytes: 1024 });
    const response = await fetch(`${api.url}/v1/auth/guest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(2048),
    });
    expect(response.status).toBe(413);
    expect(calls).toHaveLength(0);
  });

  it('answers CORS preflights and adds Access-Control-Allow-Origin to responses', async () => {
    const { api, calls } = await startRecordingApi();
    const preflight = await fetch(`${api.url}/v1/auth/guest`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://shop.example',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')?.split(',')).toEqual(expect.arrayContaining(['GET', 'POST']));
    expect(preflight.headers.get('access-control-allow-headers')?.split(',')).toEqual(
      expect.arrayContaining(['authorization', 'content-type']),
    );
    expect(Number(preflight.headers.get('access-control-max-age'))).toBeGreaterThan(0);
    expect(calls).toHaveLength(0);
    const withOrigin = await fetch(`${api.url}/v1/conversations`, { headers: { Origin: 'https://shop.example' } });
    expect(withOrigin.headers.get('access-control-allow-origin')).toBe('*');
    const withoutOrigin = await fetch(`${api.url}/v1/conversations`);
    expect(withoutOrigin.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('only allows configured origins when a list is given', async () => {
    const { api } = await startRecordingApi(undefined, { corsAllowOrigins: ['https://good.example'] });
    const good = await fetch(`${api.url}/v1/conversations`, { headers: { Origin: 'https://good.example' } });
    expect(good.headers.get('access-control-allow-origin')).toBe('https://good.example');
    expect(good.headers.get('vary')).toBe('Origin');
    const bad = await fetch(`${api.url}/v1/auth/guest`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(bad.status).toBe(204);
    expect(bad.headers.get('access-control-allow-origin')).toBeNull();
  });
});
