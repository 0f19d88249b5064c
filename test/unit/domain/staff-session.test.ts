import { describe, expect, it } from 'vitest';
import {
  changeRevokesTokens,
  issuedAtFor,
  parseRefreshToken,
  revocationCutoff,
  sessionRefusal,
  staffTokenRefusal,
  standingRefusal,
} from '../../../functions/domain/staff-session';

const NOW = 1_800_000_000;
const profile = { role: 'agent' as const, tokensValidAfter: NOW - 100 };
const session = { agentId: 'a1', createdAt: NOW - 50, expiresAt: NOW + 3600 };
const claims = { userId: 'a1', role: 'agent' as const, issuedAt: NOW - 10, sessionId: '01SESSIONID000' };

describe('staff token rules', () => {
  it('accepts a token its profile and session still back', () => {
    expect(staffTokenRefusal(claims, profile, session, NOW)).toBeUndefined();
    expect(staffTokenRefusal(claims, { role: 'agent' }, session, NOW)).toBeUndefined();
  });

  it('refuses a deleted, disabled or re-roled account', () => {
    expect(staffTokenRefusal(claims, undefined, session, NOW)).toMatch(/no longer exists/);
    expect(staffTokenRefusal(claims, { ...profile, disabled: true }, session, NOW)).toMatch(/disabled/);
    expect(staffTokenRefusal(claims, { ...profile, role: 'supervisor' }, session, NOW)).toMatch(/role/);
  });

  it('refuses a token issued before the revocation cutoff, and only those', () => {
    const cutoff = revocationCutoff(NOW - 10);
    expect(staffTokenRefusal(claims, { ...profile, tokensValidAfter: cutoff }, session, NOW)).toMatch(/revoked/);
    expect(staffTokenRefusal({ ...claims, issuedAt: cutoff }, { ...profile, tokensValidAfter: cutoff }, session, NOW)).toBeUndefined();
  });

  it('refuses a token without a session, or whose session ended, expired or is someone else’s', () => {
    expect(staffTokenRefusal({ ...claims, sessionId: undefined }, profile, session, NOW)).toMatch(/no session/);
    expect(staffTokenRefusal(claims, profile, undefined, NOW)).toMatch(/does not exist/);
    expect(staffTokenRefusal(claims, profile, { ...session, revokedAt: 'x' }, NOW)).toMatch(/ended/);
    expect(staffTokenRefusal(claims, profile, { ...session, expiresAt: NOW }, NOW)).toMatch(/expired/);
    expect(staffTokenRefusal(claims, profile, { ...session, agentId: 'a2' }, NOW)).toMatch(/does not exist/);
  });

  it('a session created before the cutoff no longer stands', () => {
    expect(standingRefusal(profile, 'agent', session.createdAt)).toBeUndefined();
    expect(standingRefusal({ ...profile, tokensValidAfter: revocationCutoff(NOW) }, 'agent', session.createdAt)).toMatch(/revoked/);
    expect(sessionRefusal(session, 'a1', NOW)).toBeUndefined();
  });

  it('a sign-in right after a revocation counts from the cutoff, so it is not refused', () => {
    const cutoff = revocationCutoff(NOW);
    const issuedAt = issuedAtFor(NOW, { role: 'agent', tokensValidAfter: cutoff });
    expect(issuedAt).toBe(cutoff);
    expect(standingRefusal({ role: 'agent', tokensValidAfter: cutoff }, 'agent', issuedAt)).toBeUndefined();
    expect(issuedAtFor(NOW, { role: 'agent' })).toBe(NOW);
  });

  it('password, role and disabling revoke; other changes do not', () => {
    expect(changeRevokesTokens({ role: 'agent' }, { password: 'new-password' })).toBe(true);
    expect(changeRevokesTokens({ role: 'agent' }, { role: 'supervisor' })).toBe(true);
    expect(changeRevokesTokens({ role: 'agent' }, { role: 'agent' })).toBe(false);
    expect(changeRevokesTokens({ role: 'agent' }, { disabled: true })).toBe(true);
    expect(changeRevokesTokens({ role: 'agent', disabled: true }, { disabled: true })).toBe(false);
    expect(changeRevokesTokens({ role: 'agent', disabled: true }, { disabled: false })).toBe(false);
    expect(changeRevokesTokens({ role: 'agent' }, {})).toBe(false);
  });

  it('parses refresh tokens strictly', () => {
    const secret = 'A'.repeat(43);
    expect(parseRefreshToken(`01HZZZZZZZZZZZZZZZZZZZZZZZ.${secret}`)).toEqual({ sessionId: '01HZZZZZZZZZZZZZZZZZZZZZZZ', secret });
    for (const bad of ['', 'x', `.${secret}`, `01HZZZZZZZZZ.short`, `01HZ ZZZZZZZZ.${secret}`, `01HZZZZZZZZZ.${secret}.x`]) {
      expect(parseRefreshToken(bad)).toBeUndefined();
    }
  });
});
