import { describe, expect, it } from 'vitest';
import { absentAgentVerdict, recoveryOnHeartbeat } from '../../../functions/domain/presence-recovery';

describe('recoveryOnHeartbeat', () => {
  it('does nothing while Redis knows the agent, whatever its record says', () => {
    expect(recoveryOnHeartbeat('known', 'online')).toEqual({ action: 'none' });
    expect(recoveryOnHeartbeat('known', undefined)).toEqual({ action: 'none' });
  });

  it('restores the status the agent chose when Redis forgot it or the sweep took it offline', () => {
    expect(recoveryOnHeartbeat('unknown', 'online')).toEqual({ action: 'restore', status: 'online' });
    expect(recoveryOnHeartbeat('lapsed', 'online')).toEqual({ action: 'restore', status: 'online' });
    expect(recoveryOnHeartbeat('unknown', 'away')).toEqual({ action: 'restore', status: 'away' });
  });

  it('settles an agent who chose offline, or never chose, as offline', () => {
    expect(recoveryOnHeartbeat('unknown', 'offline')).toEqual({ action: 'settle-offline' });
    expect(recoveryOnHeartbeat('unknown', undefined)).toEqual({ action: 'settle-offline' });
    expect(recoveryOnHeartbeat('lapsed', 'offline')).toEqual({ action: 'settle-offline' });
  });
});

describe('absentAgentVerdict', () => {
  it('gives the grace to an agent who chose online or away and holds a live connection', () => {
    expect(absentAgentVerdict('online', 1)).toBe('grace');
    expect(absentAgentVerdict('away', 2)).toBe('grace');
  });

  it('loses an agent without a live connection, who chose offline, or has no record', () => {
    expect(absentAgentVerdict('online', 0)).toBe('lost');
    expect(absentAgentVerdict('offline', 1)).toBe('lost');
    expect(absentAgentVerdict(undefined, 1)).toBe('lost');
  });
});
