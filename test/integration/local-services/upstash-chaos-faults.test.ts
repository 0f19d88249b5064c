import { afterEach, describe, expect, it } from 'vitest';
import { type UpstashServer, startUpstashServer } from '../../../local/upstash/upstash-server';

/** The chaos run's Redis faults on the local Upstash endpoint (embedded engine). */
const TOKEN = 'chaos-faults-token';
let server: UpstashServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

const run = (command: string[]) =>
  fetch(server!.url, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(command) }).then(
    async (response) => (await response.json()) as { result?: unknown; error?: string },
  );

describe('Upstash endpoint chaos faults', () => {
  it('flushAll drops every key', async () => {
    server = await startUpstashServer({ port: 0, token: TOKEN });
    await run(['SET', 'agent:a', 'online']);
    expect(await run(['GET', 'agent:a'])).toEqual({ result: 'online' });
    await server.flushAll();
    expect(await run(['GET', 'agent:a'])).toEqual({ result: null });
  });

  it('while unreachable, every request is cut unanswered; then it answers again with its data', async () => {
    server = await startUpstashServer({ port: 0, token: TOKEN });
    await run(['SET', 'agent:a', 'online']);
    server.setReachable(false);
    await expect(run(['GET', 'agent:a'])).rejects.toThrow();
    server.setReachable(true);
    expect(await run(['GET', 'agent:a'])).toEqual({ result: 'online' });
  });
});
