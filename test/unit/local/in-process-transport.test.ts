import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { HttpRequest } from '@smithy/core/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatchInProcess } from '../../../local/in-process/dispatch';
import { InProcessEndpoints } from '../../../local/in-process/endpoints';
import { interceptFetch } from '../../../local/in-process/fetch-interceptor';
import { InProcessRequestHandler } from '../../../local/in-process/sdk-request-handler';
import { startSqsServer, type SqsServer } from '../../../local/sqs/sqs-server';
import { budget } from '../../support/setup';
import { waitFor } from '../../support/wait';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An echo server: method, url, headers and body back as JSON; `/cut` destroys the socket; `/hang` never answers. */
function echoServer(onClose?: () => void): Server {
  return createServer((request, response) => {
    if (request.url === '/cut') return void request.socket.destroy();
    if (request.url === '/hang') return void response.on('close', () => onClose?.());
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.stringify({
        method: request.method,
        url: request.url,
        host: request.headers.host,
        body: Buffer.concat(chunks).toString(),
      });
      response.writeHead(201, { 'content-type': 'application/json', 'x-echo': 'yes' }).end(body);
    });
  });
}

async function listening(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('dispatchInProcess', () => {
  it("hands a request to a server's listener in memory and collects its answer", async () => {
    const server = echoServer();
    const answer = await dispatchInProcess((request, response) => server.emit('request', request, response), {
      method: 'POST',
      url: '/path?q=1',
      headers: { host: 'example', 'content-type': 'text/plain' },
      body: Buffer.from('hello'),
    });
    expect(answer.statusCode).toBe(201);
    expect(answer.headers['x-echo']).toBe('yes');
    expect(JSON.parse(answer.body.toString())).toEqual({ method: 'POST', url: '/path?q=1', host: 'example', body: 'hello' });
  });

  it('reports a destroyed socket as a reset, and an abort to the server as a closed connection', async () => {
    let closed = false;
    const server = echoServer(() => {
      closed = true;
    });
    const listener: RequestListener = (request, response) => server.emit('request', request, response);
    await expect(dispatchInProcess(listener, { method: 'GET', url: '/cut', headers: {}, body: Buffer.alloc(0) })).rejects.toMatchObject({
      code: 'ECONNRESET',
    });
    const abort = new AbortController();
    const pending = dispatchInProcess(listener, { method: 'GET', url: '/hang', headers: {}, body: Buffer.alloc(0), signal: abort.signal });
    abort.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(closed).toBe(true);
  });
});

describe('InProcessRequestHandler (AWS SDK transport)', () => {
  async function sqsInProcess(): Promise<{ sqs: SqsServer; client: SQSClient }> {
    const sqs = await startSqsServer({ port: 0 });
    cleanups.push(() => sqs.close());
    const endpoints = new InProcessEndpoints();
    endpoints.register(sqs.endpoint, sqs.server);
    const requestHandler = new InProcessRequestHandler(endpoints);
    cleanups.push(() => requestHandler.close());
    return { sqs, client: new SQSClient({ endpoint: sqs.endpoint, region: 'us-east-1', credentials, requestHandler }) };
  }

  it('serves a registered endpoint without a socket', async () => {
    const { sqs, client } = await sqsInProcess();
    let connections = 0;
    sqs.server.on('connection', () => {
      connections += 1;
    });
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'in-process' }));
    await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'hello' }));
    const received = await client.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }));
    expect(received.Messages?.map((message) => message.Body)).toEqual(['hello']);
    expect(connections).toBe(0);
  });

  it('sends requests for other endpoints over the network', async () => {
    const sqs = await startSqsServer({ port: 0 });
    cleanups.push(() => sqs.close());
    const requestHandler = new InProcessRequestHandler(new InProcessEndpoints());
    cleanups.push(() => requestHandler.close());
    const client = new SQSClient({ endpoint: sqs.endpoint, region: 'us-east-1', credentials, requestHandler });
    let connections = 0;
    sqs.server.on('connection', () => {
      connections += 1;
    });
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'over-the-network' }));
    expect(QueueUrl).toContain('over-the-network');
    expect(connections).toBe(1);
  });

  // On AWS each concurrent invocation has its own container and client; here every handler
  // shares one, so the SDK's default cap (50 sockets) would queue the 51st request behind the
  // others: behind a slow fault proxy, for longer than the function's timeout.
  it(
    'does not queue network requests behind a socket cap when many invocations run at once',
    async () => {
      const held: Array<() => void> = [];
      const server = createServer((_request, response) => {
        held.push(() => response.writeHead(200).end());
      });
      const origin = await listening(server);
      const requestHandler = new InProcessRequestHandler(new InProcessEndpoints());
      cleanups.push(() => requestHandler.close());
      const { hostname, port } = new URL(origin);
      const concurrent = 80;
      const answers = Array.from({ length: concurrent }, (_, i) =>
        requestHandler.handle(
          new HttpRequest({ protocol: 'http:', hostname, port: Number(port), method: 'GET', path: `/${i}`, headers: {} }),
        ),
      );
      try {
        await waitFor(() => held.length === concurrent, { message: `${concurrent} requests at the server at once`, timeoutMs: budget(2) });
      } finally {
        for (const answer of held) answer();
      }
      expect((await Promise.all(answers)).map(({ response }) => response.statusCode)).toEqual(Array(concurrent).fill(200));
    },
    budget(3),
  );
});

describe('interceptFetch', () => {
  it('serves registered origins in memory, passes the rest on, and restores fetch', async () => {
    const original = globalThis.fetch;
    const inProcess = echoServer();
    const inProcessUrl = await listening(inProcess);
    const other = await listening(echoServer());
    const endpoints = new InProcessEndpoints();
    endpoints.register(inProcessUrl, inProcess);
    const restore = interceptFetch(endpoints);
    cleanups.push(restore);
    inProcess.close(); // only the in-memory path can answer now
    const response = await fetch(`${inProcessUrl}/pipeline`, { method: 'POST', body: '["PING"]' });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ method: 'POST', url: '/pipeline', body: '["PING"]' });
    expect((await fetch(`${other}/x`)).status).toBe(201);
    await expect(fetch(`${inProcessUrl}/cut`)).rejects.toThrow(TypeError);
    restore();
    expect(globalThis.fetch).toBe(original);
  });
});
