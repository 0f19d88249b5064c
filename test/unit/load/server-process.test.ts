import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { procUsage } from '../../../scripts/load/server-process';

describe('server process usage from /proc', () => {
  it('reads CPU time and RSS of a process on Linux, and answers undefined where there is no /proc', async () => {
    const usage = await procUsage(process.pid);
    if (!existsSync(`/proc/${process.pid}/stat`)) {
      expect(usage).toBeUndefined();
      return;
    }
    const memory = process.memoryUsage().rss;
    expect(usage!.cpuMs).toBeGreaterThan(0);
    // The same process's RSS, read two ways a moment apart: within a factor of two.
    expect(usage!.rssBytes).toBeGreaterThan(memory / 2);
    expect(usage!.rssBytes).toBeLessThan(memory * 2);
  });
  it('answers undefined for a process that does not exist', async () => {
    expect(await procUsage(2 ** 30)).toBeUndefined();
  });
});
