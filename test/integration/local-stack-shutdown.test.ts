import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { RawClient } from '../../local/tools/raw-client';
import { postJson } from '../../local/tools/raw-client';
import { budget, STACK_START_MS } from '../support/setup';
import { waitFor } from '../support/wait';

/** Stopping the stack waits for the handlers still running before it closes what they use. */
const CONNECTIONS = 30;
let stack: LocalStack | undefined;

afterAll(async () => {
  await stack?.stop();
});

async function agentToken(running: LocalStack, email: string): Promise<string> {
  const response = await postJson(`${running.httpUrl}/v1/auth/login`, { email, password: 'parley-demo' });
  expect(response.status).toBe(200);
  return response.body.token as string;
}

/** Everything written to stdout and stderr (handler logs, console) while `work` runs. */
async function outputOf(work: () => Promise<void>): Promise<string> {
  const written: string[] = [];
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((stream) => stream.write.bind(stream));
  streams.forEach((stream, index) => {
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      written.push(String(chunk));
      return (originals[index] as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
  });
  try {
    await work();
  } finally {
    streams.forEach((stream, index) => {
      stream.write = originals[index] as typeof stream.write;
    });
  }
  return written.join('');
}

describe('stopping the local stack', () => {
  it(
    'drains the $disconnects of sockets that just closed before closing DynamoDB, SQS and Redis: no handler error',
    async () => {
      // $disconnect handlers wait for the stop to begin, as ones still running when it does.
      let stopBegun!: () => void;
      const stopBegins = new Promise<void>((resolve) => {
        stopBegun = resolve;
      });
      let disconnectsStarted = 0;
      const disconnectOutcomes: Array<number | string> = [];
      stack = await startLocalStack({
        httpPort: 0,
        wsPort: 0,
        demo: true,
        web: false,
        instrument: (name, handler) =>
          name !== 'disconnect'
            ? handler
            : async (event, context) => {
                disconnectsStarted++;
                await stopBegins;
                try {
                  const result = (await handler(event, context)) as { statusCode?: number };
                  disconnectOutcomes.push(result?.statusCode ?? 'no status');
                  return result;
                } catch (error) {
                  disconnectOutcomes.push(String(error));
                  throw error;
                }
              },
      });
      const running = stack;
      // Agents online on many devices: each $disconnect touches DynamoDB, Redis (presence) and SQS.
      const tokens = await Promise.all(['agent.billing@example.com', 'agent.tech@example.com'].map((email) => agentToken(running, email)));
      const clients = await Promise.all(
        Array.from({ length: CONNECTIONS }, (_, index) => RawClient.connect(running.wsUrl, tokens[index % tokens.length]!)),
      );
      for (const client of clients.slice(0, tokens.length)) {
        expect(await client.request({ action: 'status', status: 'online' }, ['status'])).toEqual({ type: 'status', status: 'online' });
      }
      await Promise.all(clients.map((client) => client.close()));
      await waitFor(() => disconnectsStarted === CONNECTIONS, { timeoutMs: budget(3), message: 'every $disconnect started' });

      const output = await outputOf(async () => {
        const stopping = running.stop();
        stopBegun();
        await stopping;
      });
      stack = undefined;
      // Every $disconnect ran to completion before the endpoints closed, and none failed.
      expect(disconnectOutcomes).toEqual(Array.from({ length: CONNECTIONS }, () => 200));
      expect(output).not.toMatch(/ECONNREFUSED|"level":"ERROR"|did not stop|failed/);
    },
    STACK_START_MS + budget(6),
  );
});
