import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { QueueStore } from './queue-store';
import type { QueuedMessage } from './queued-message';

interface QueueFile {
  readonly version: 1;
  /** Messages by queue name: visible, in flight and delayed ones alike. */
  readonly queues: Record<string, QueuedMessage[]>;
}

/** How long changes are gathered before one write: a crash (kill -9) loses at most this much. */
const WRITE_DELAY_MS = 50;

export interface QueuePersistence {
  /** Writes what is pending now (on stop, after the endpoint closed). */
  flush(): void;
}

function read(path: string): QueueFile | undefined {
  try {
    const file = JSON.parse(readFileSync(path, 'utf8')) as Partial<QueueFile>;
    return file.version === 1 && typeof file.queues === 'object' && file.queues !== null ? (file as QueueFile) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Keeps the local SQS queues' messages in `path` across restarts (`npm start -- --data DIR`):
 * restores them into the queues that exist now (created from the current definitions, so a
 * changed setting applies) and rewrites the file, atomically, shortly after every change.
 */
export function persistQueues(store: QueueStore, path: string): QueuePersistence {
  const saved = read(path);
  for (const [name, messages] of Object.entries(saved?.queues ?? {})) {
    const queue = store.listQueues(name).find((candidate) => candidate.name === name);
    // A queue the stack no longer creates: its messages have nowhere to go.
    if (queue) queue.restore(messages);
  }
  mkdirSync(dirname(path), { recursive: true });
  let timer: NodeJS.Timeout | undefined;
  const write = () => {
    clearTimeout(timer);
    timer = undefined;
    const file: QueueFile = {
      version: 1,
      queues: Object.fromEntries(store.listQueues().map((queue) => [queue.name, queue.snapshot()])),
    };
    const temporary = `${path}.tmp`;
    writeFileSync(temporary, JSON.stringify(file));
    renameSync(temporary, path);
  };
  store.onChange = () => {
    timer ??= setTimeout(write, WRITE_DELAY_MS);
  };
  write();
  return { flush: write };
}
