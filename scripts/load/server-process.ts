import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildReply, ChildRequest } from './server-child';

const CHILD_ENTRY = join(dirname(fileURLToPath(import.meta.url)), 'server-child.ts');

export interface Usage {
  /** User plus system CPU time since the process started. */
  readonly cpuMs: number;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  /** Memory outside the JS heap that JS objects hold: Buffers' and ArrayBuffers' bytes, native handles. */
  readonly externalBytes: number;
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** utime + stime (ms) and RSS (bytes) from /proc/<pid>/stat and status; undefined off Linux. */
export async function procUsage(pid: number): Promise<{ cpuMs: number; rssBytes: number } | undefined> {
  try {
    const [stat, status] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile(`/proc/${pid}/status`, 'utf8')]);
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime) are 11 and 12 after "pid (comm) ".
    const ticks = Number(fields[11]) + Number(fields[12]);
    const rssKb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1]);
    if (!Number.isFinite(ticks) || !Number.isFinite(rssKb)) return undefined;
    return { cpuMs: (ticks * 1000) / ticksPerSecond(), rssBytes: rssKb * 1024 };
  } catch {
    return undefined;
  }
}

/**
 * A server (the local stack or the relay) in a child process of its own: its CPU and memory
 * are read from /proc (which answers even while its event loop is busy), the heap over IPC.
 */
export class ServerProcess {
  private readonly pending: Array<{ type: ChildReply['type']; resolve: (reply: ChildReply) => void }> = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly wsUrl: string,
    readonly httpUrl: string | undefined,
  ) {
    child.on('message', (message: ChildReply) => {
      const index = this.pending.findIndex((waiter) => waiter.type === message.type);
      if (index >= 0) this.pending.splice(index, 1)[0]!.resolve(message);
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  static start(kind: 'parley' | 'relay', timeoutMs: number): Promise<ServerProcess> {
    const child = fork(CHILD_ENTRY, [kind], {
      execArgv: ['--import', 'tsx', '--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill();
        reject(new Error(`the ${kind} server did not start within ${timeoutMs} ms`));
      }, timeoutMs);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the ${kind} server exited (${code}) before it was ready`));
      });
      child.on('message', (message: ChildReply) => {
        if (message.type === 'ready') {
          clearTimeout(timer);
          child.removeAllListeners('exit');
          resolve(new ServerProcess(child, message.wsUrl, message.httpUrl));
        } else if (message.type === 'failed') {
          clearTimeout(timer);
          reject(new Error(`the ${kind} server failed to start: ${message.message}`));
        }
      });
    });
  }

  private ask<T extends ChildReply['type']>(request: ChildRequest, type: T): Promise<Extract<ChildReply, { type: T }>> {
    return new Promise((resolve) => {
      this.pending.push({ type, resolve: resolve as (reply: ChildReply) => void });
      this.child.send(request);
    });
  }

  async usage(): Promise<Usage> {
    const [proc, ipc] = await Promise.all([procUsage(this.pid), this.ask({ type: 'usage' }, 'usage')]);
    return {
      cpuMs: proc?.cpuMs ?? (ipc.cpuUserMicros + ipc.cpuSystemMicros) / 1000,
      rssBytes: proc?.rssBytes ?? ipc.rssBytes,
      heapUsedBytes: ipc.heapUsedBytes,
      externalBytes: ipc.externalBytes,
    };
  }

  /** Starts the server's sampling CPU profiler (the inspector's, in process). */
  async startProfile(): Promise<void> {
    await this.ask({ type: 'profile-start' }, 'profile-started');
  }

  /** Stops the profiler and writes the profile to `path` (returned). */
  async stopProfile(path: string): Promise<string> {
    return (await this.ask({ type: 'profile-stop', path }, 'profile-written')).path;
  }

  /** A full garbage collection in the server, so memory deltas are of what is held. */
  async collect(): Promise<void> {
    await this.ask({ type: 'gc' }, 'gc');
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return resolve();
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.child.send({ type: 'stop' } satisfies ChildRequest);
    });
  }
}
