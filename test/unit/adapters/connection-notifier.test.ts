import {
  GoneException,
  LimitExceededException,
  PostToConnectionCommand,
  type ApiGatewayManagementApiClient,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { describe, expect, it, vi } from 'vitest';
import { ConnectionsApiError, ManagementApiNotifier } from '../../../functions/adapters/apigw/connection-notifier';

const limit = () => new LimitExceededException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } });
const gone = () => new GoneException({ message: 'gone', $metadata: { httpStatusCode: 410 } });
const frame = { type: 'pong', serverTime: 't' } as const;

function notifierFailing(errors: Error[]) {
  const send = vi.fn(async () => {
    const error = errors.shift();
    if (error) throw error;
    return {};
  });
  const sleep = vi.fn(async (_ms: number) => undefined);
  const notifier = new ManagementApiNotifier({ send } as unknown as ApiGatewayManagementApiClient, { sleep, random: () => 0.5 });
  return { notifier, send, sleep };
}

describe('ManagementApiNotifier', () => {
  it('retries LimitExceededException with growing full-jitter delays, then delivers', async () => {
    const { notifier, send, sleep } = notifierFailing([limit(), limit(), limit()]);
    await expect(notifier.send('c1', frame)).resolves.toBe('sent');
    expect(send).toHaveBeenCalledTimes(4);
    expect(sleep.mock.calls.map(([ms]) => ms)).toEqual([25, 50, 100]);
    // Every attempt posts this frame to this connection.
    for (const [command] of send.mock.calls as unknown as [PostToConnectionCommand][]) {
      expect(command).toBeInstanceOf(PostToConnectionCommand);
      expect(command.input.ConnectionId).toBe('c1');
      expect(JSON.parse(new TextDecoder().decode(command.input.Data as Uint8Array))).toEqual(frame);
    }
  });

  it('gives up after four calls and reports the dependency as unavailable', async () => {
    const { notifier, send } = notifierFailing([limit(), limit(), limit(), limit(), limit()]);
    const failure = notifier.send('c1', frame);
    await expect(failure).rejects.toBeInstanceOf(ConnectionsApiError);
    await expect(failure).rejects.toMatchObject({ dependency: 'apigateway-management', cause: expect.any(LimitExceededException) });
    expect(send).toHaveBeenCalledTimes(4);
  });

  it('answers gone for a GoneException without retrying, and does not retry other errors', async () => {
    const goneCase = notifierFailing([gone()]);
    await expect(goneCase.notifier.send('c1', frame)).resolves.toBe('gone');
    expect(goneCase.send).toHaveBeenCalledTimes(1);
    const boom = new Error('boom');
    const other = notifierFailing([boom]);
    const failure = other.notifier.send('c1', frame);
    await expect(failure).rejects.toBeInstanceOf(ConnectionsApiError);
    await expect(failure).rejects.toHaveProperty('cause', boom);
    expect(other.send).toHaveBeenCalledTimes(1);
  });
});
