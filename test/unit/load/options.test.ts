import { describe, expect, it } from 'vitest';
import { parseLoadArgs } from '../../../scripts/load/options';
import { LoadOptionError } from '../../../scripts/load/schedule';

const NOW = new Date('2026-12-01T10:20:30.456Z');

describe('npm run load options', () => {
  it('defaults to sequential pacing against the local stack with its demo admin', () => {
    const { load, reportPath } = parseLoadArgs([], {}, NOW);
    expect(load.pacing).toEqual({ kind: 'sequential', durationMs: 30_000, messagesPerConversation: undefined });
    expect(load.target).toEqual({ kind: 'local', admin: { email: 'admin@example.com', password: 'parley-demo' } });
    expect(load).toMatchObject({
      conversations: 10,
      perAgent: 10,
      idle: 100,
      drainMs: 30_000,
      stepMs: 30_000,
      concurrency: 4,
      baseline: undefined,
    });
    expect(reportPath).toBe('load-reports/load-2026-12-01T10-20-30-456Z.html');
    expect(load.cpuProfileDir).toBeUndefined();
  });

  it('profiles the servers over the message phase only when asked', () => {
    expect(parseLoadArgs(['--cpu-profile', '/tmp/profiles'], {}).load.cpuProfileDir).toBe('/tmp/profiles');
  });
  it('reads a fixed rate and a ramp over the duration', () => {
    expect(parseLoadArgs(['--conversations', '50', '--rate', '200/s', '--duration', '60s'], {}).load.pacing).toEqual({
      kind: 'rate',
      schedule: { fromPerSecond: 200, toPerSecond: 200, durationMs: 60_000 },
      maxInFlight: 2000,
    });
    expect(parseLoadArgs(['--ramp', '10..300/s', '--duration', '2m'], {}).load.pacing).toMatchObject({
      schedule: { fromPerSecond: 10, toPerSecond: 300, durationMs: 120_000 },
    });
  });
  it('targets a deployed stack with an admin from flags or the environment, and no idle connections by default', () => {
    const { load } = parseLoadArgs(['--ws', 'wss://x.example/prod/', '--http', 'https://y.example/'], {
      LOAD_ADMIN_EMAIL: 'ops@example.com',
      LOAD_ADMIN_PASSWORD: 'secret',
    });
    expect(load.target).toEqual({
      kind: 'remote',
      wsUrl: 'wss://x.example/prod',
      httpUrl: 'https://y.example',
      admin: { email: 'ops@example.com', password: 'secret' },
    });
    expect(load.idle).toBe(0);
  });
  it('refuses contradictory or malformed flags with the reason', () => {
    const refusals: Array<[string[], RegExp]> = [
      [['--rate', '10/s', '--ramp', '1..2/s'], /either-or/],
      [['--ws', 'wss://x'], /go together/],
      [['--ws', 'wss://x', '--http', 'https://y'], /admin sign-in/],
      [['--baseline', 'nginx'], /only "relay"/],
      [['--conversations', '0'], /at least 1/],
      [['--per-agent', '51'], /0\.\.50/],
      [['--rate', '10/s', '--messages', '5'], /sequential/],
      [['--duration', 'forever'], /not a duration/],
      [['--bogus'], /bogus/],
    ];
    for (const [argv, reason] of refusals) {
      expect(() => parseLoadArgs(argv, {}), argv.join(' ')).toThrow(LoadOptionError);
      expect(() => parseLoadArgs(argv, {}), argv.join(' ')).toThrow(reason);
    }
  });
});
