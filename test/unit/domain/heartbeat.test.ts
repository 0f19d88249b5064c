import { describe, expect, it } from 'vitest';
import { configSchema, parseRateLimit } from '../../../functions/config';
import * as z from '../../../functions/shared/zod';
import { API_GATEWAY_IDLE_SECONDS, CUSTOMER_HEARTBEAT_SECONDS, heartbeatSecondsFor } from '../../../functions/domain/heartbeat';

const defaults = z
  .pick(configSchema, {
    HEARTBEAT_SECONDS: true,
    PRESENCE_GRACE_SECONDS: true,
    RATE_LIMIT_HEARTBEATS: true,
    MAX_CONNECTIONS_PER_STAFF: true,
    MAX_CONNECTIONS_PER_CUSTOMER: true,
  })
  .parse({});
const settings = { heartbeatSeconds: defaults.HEARTBEAT_SECONDS, presenceGraceSeconds: defaults.PRESENCE_GRACE_SECONDS };

describe('heartbeat intervals per role', () => {
  it('has customers beat every 5 minutes: one lost beat still beats the 10-minute idle limit', () => {
    expect(heartbeatSecondsFor('customer', settings)).toBe(300);
    expect(2 * CUSTOMER_HEARTBEAT_SECONDS).toBeLessThanOrEqual(API_GATEWAY_IDLE_SECONDS);
  });

  it('has staff beat at the configured interval by default (30 s against a 60 s presence grace)', () => {
    for (const role of ['agent', 'supervisor', 'admin'] as const) expect(heartbeatSecondsFor(role, settings), role).toBe(30);
  });

  it('never lets a staff interval reach the presence grace: at most half of it, and never under a second', () => {
    expect(heartbeatSecondsFor('agent', { heartbeatSeconds: 120, presenceGraceSeconds: 60 })).toBe(30);
    expect(heartbeatSecondsFor('agent', { heartbeatSeconds: 3, presenceGraceSeconds: 60 })).toBe(3);
    expect(heartbeatSecondsFor('agent', { heartbeatSeconds: 30, presenceGraceSeconds: 1 })).toBe(1);
    expect(heartbeatSecondsFor('agent', { heartbeatSeconds: 900, presenceGraceSeconds: 3600 })).toBe(CUSTOMER_HEARTBEAT_SECONDS);
  });

  it('keeps the customer interval whatever HEARTBEAT_SECONDS says (it is the staff setting)', () => {
    expect(heartbeatSecondsFor('customer', { heartbeatSeconds: 3, presenceGraceSeconds: 6 })).toBe(CUSTOMER_HEARTBEAT_SECONDS);
  });

  it('RATE_LIMIT_HEARTBEATS admits every allowed connection beating at its interval, three times over (probes, reconnects)', () => {
    const { limit, windowSeconds } = parseRateLimit(defaults.RATE_LIMIT_HEARTBEATS);
    const staffPerWindow = (defaults.MAX_CONNECTIONS_PER_STAFF * windowSeconds) / heartbeatSecondsFor('agent', settings);
    const customerPerWindow = (defaults.MAX_CONNECTIONS_PER_CUSTOMER * windowSeconds) / heartbeatSecondsFor('customer', settings);
    expect(limit).toBeGreaterThanOrEqual(3 * Math.max(staffPerWindow, customerPerWindow));
  });
});
