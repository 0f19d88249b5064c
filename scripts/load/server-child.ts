import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { dirname } from 'node:path';

/**
 * The server side of `npm run load`, forked as a child process so its CPU and memory are its
 * own: `parley` runs the local stack (as `npm start` does, with the abuse limits lifted, since
 * every simulated customer comes from one address), `relay` the baseline relay. It reports
 * its URLs over IPC, answers usage and gc requests, and stops on `stop` or when the parent goes.
 */
export type ChildRequest =
  | { type: 'usage' }
  | { type: 'gc' }
  | { type: 'stop' }
  | { type: 'profile-start' }
  | { type: 'profile-stop'; path: string };
export type ChildReply =
  | { type: 'ready'; wsUrl: string; httpUrl?: string }
  | { type: 'usage'; cpuUserMicros: number; cpuSystemMicros: number; rssBytes: number; heapUsedBytes: number; externalBytes: number }
  | { type: 'gc'; collected: boolean }
  | { type: 'profile-started' }
  | { type: 'profile-written'; path: string }
  | { type: 'failed'; message: string };

const reply = (message: ChildReply) => process.send?.(message);

let profiler: Session | undefined;

async function startProfile(): Promise<void> {
  profiler = new Session();
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.start');
}

async function stopProfile(path: string): Promise<void> {
  if (!profiler) throw new Error('no CPU profile was started');
  const { profile } = await profiler.post('Profiler.stop');
  profiler.disconnect();
  profiler = undefined;
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify(profile));
}

async function main(): Promise<void> {
  const kind = process.argv[2];
  let stop: () => Promise<void>;
  // Imported on demand, so the relay's process holds the relay alone (its memory is the baseline's).
  if (kind === 'relay') {
    const { startRelay } = await import('./relay-server');
    const relay = await startRelay();
    stop = () => relay.close();
    reply({ type: 'ready', wsUrl: relay.wsUrl });
  } else if (kind === 'parley') {
    const { startLocalStack } = await import('../../local/stack');
    const { liftedLimits } = await import('../../local/tools/lifted-limits');
    const stack = await startLocalStack({ httpPort: 0, wsPort: 0, demo: true, web: false, env: liftedLimits() });
    stop = () => stack.stop();
    reply({ type: 'ready', wsUrl: stack.wsUrl, httpUrl: stack.httpUrl });
  } else {
    throw new Error(`unknown server kind "${kind}" (parley or relay)`);
  }
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await stop().catch(() => undefined);
    process.exit(0);
  };
  process.on('message', (message: ChildRequest) => {
    if (message.type === 'usage') {
      const cpu = process.cpuUsage();
      const memory = process.memoryUsage();
      reply({
        type: 'usage',
        cpuUserMicros: cpu.user,
        cpuSystemMicros: cpu.system,
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        externalBytes: memory.external,
      });
    } else if (message.type === 'gc') {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      reply({ type: 'gc', collected: gc !== undefined });
    } else if (message.type === 'profile-start') {
      void startProfile().then(() => reply({ type: 'profile-started' }));
    } else if (message.type === 'profile-stop') {
      void stopProfile(message.path).then(() => reply({ type: 'profile-written', path: message.path }));
    } else if (message.type === 'stop') void shutdown();
  });
  process.on('disconnect', () => void shutdown());
}

main().catch((error: unknown) => {
  reply({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
