import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startHttpApi } from '../../../local/gateway/http-api';
import { startWebSocketGateway } from '../../../local/gateway/websocket-gateway';
import { fakeAuthorizer } from './ws-test-client';

let blocker: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => blocker?.close(resolve) ?? resolve(undefined));
  blocker = undefined;
});

async function occupyPort(): Promise<number> {
  blocker = createServer();
  await new Promise<void>((resolve) => blocker!.listen(0, '127.0.0.1', resolve));
  return (blocker.address() as AddressInfo).port;
}

describe('start-up errors', () => {
  it('the WebSocket gateway refuses duplicate route keys and odd stage names', async () => {
    const handler = async (): Promise<void> => undefined;
    const route = { routeKey: 'echo', handler, replies: true };
    await expect(startWebSocketGateway({ port: 0, stage: 'local', routes: [route, route], authorizer: fakeAuthorizer })).rejects.toThrow(
      'Duplicate WebSocket route "echo"',
    );
    await expect(startWebSocketGateway({ port: 0, stage: 'a/b', routes: [], authorizer: fakeAuthorizer })).rejects.toThrow('Invalid stage');
  });

  it('the HTTP API refuses duplicate routes and misplaced greedy variables', async () => {
    const handler = async (): Promise<void> => undefined;
    await expect(
      startHttpApi({
        port: 0,
        routes: [
          { method: 'GET', path: '/a', handler },
          { method: 'get', path: '/a', handler },
        ],
      }),
    ).rejects.toThrow('Duplicate HTTP API route "GET /a"');
    await expect(startHttpApi({ port: 0, routes: [{ method: 'GET', path: '/{rest+}/x', handler }] })).rejects.toThrow('greedy');
  });
});

describe('busy ports', () => {
  it('the WebSocket gateway names the busy port and the variable to change', async () => {
    const port = await occupyPort();
    await expect(
      startWebSocketGateway({ port, stage: 'local', routes: [], authorizer: fakeAuthorizer, portEnvName: 'WS_PORT' }),
    ).rejects.toThrow(`Port ${port} is already in use; set WS_PORT to another port`);
  });

  it('the HTTP API names the busy port, with a generic remedy when no variable is given', async () => {
    const port = await occupyPort();
    await expect(startHttpApi({ port, routes: [], portEnvName: 'HTTP_PORT' })).rejects.toThrow(
      `Port ${port} is already in use; set HTTP_PORT to another port`,
    );
    await expect(startHttpApi({ port, routes: [] })).rejects.toThrow(`Port ${port} is already in use; choose another port`);
  });
});
