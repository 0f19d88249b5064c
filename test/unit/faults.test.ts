import { describe, expect, it } from 'vitest';
import { FaultInjector } from '../../local/faults/fault-injector';
import { checkFaultUpdate, parseFaultFlags } from '../../local/faults/fault-settings';

describe('fault settings', () => {
  it('parses --faults flags and refuses unknown names and bad values', () => {
    expect(parseFaultFlags('drop-disconnect=0.2, gone=0.05,delay=0.5,delay-ms=100,kill=0.01')).toEqual({
      dropDisconnect: 0.2,
      postGone: 0.05,
      postDelay: 0.5,
      delayMaxMs: 100,
      killPerSecond: 0.01,
    });
    expect(() => parseFaultFlags('explode=1')).toThrow(/cannot read fault "explode=1"/);
    expect(() => parseFaultFlags('gone=2')).toThrow(/probability/);
    expect(() => parseFaultFlags('gone=')).toThrow(/needs a number/);
    expect(() => checkFaultUpdate({ postGone: 'x' })).toThrow(/must be a number/);
    expect(() => checkFaultUpdate({ nope: 1 })).toThrow(/unknown fault/);
  });

  it('fires at the configured rate and counts what fired', async () => {
    const faults = new FaultInjector({ postLimitExceeded: 0.25 }, 1);
    let limited = 0;
    for (let i = 0; i < 2_000; i += 1) if ((await faults.beforePost()) === 'limit-exceeded') limited += 1;
    expect(limited).toBeGreaterThan(400);
    expect(limited).toBeLessThan(600);
    expect(faults.counts().postsLimitExceeded).toBe(limited);
    faults.update({ postLimitExceeded: 0 });
    expect(await faults.beforePost()).toBe('deliver');
  });
});
