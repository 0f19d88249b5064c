import { describe, expect, it } from 'vitest';
import {
  publishedTiming,
  rotateKeys,
  signingKeyAt,
  verifiesAt,
  withPublishedRetirements,
  type KeyPolicy,
  type KeyTiming,
} from '../../../functions/domain/signing-keys';

const NOW = 1_800_000_000;
const POLICY: KeyPolicy = { activationDelaySeconds: 360, retiredKeyGraceSeconds: 24 * 3600 + 30, cacheSeconds: 300 };
const key = (kid: string, activatesAt: number, retiresAt?: number): KeyTiming => ({
  kid,
  createdAt: activatesAt,
  activatesAt,
  ...(retiresAt === undefined ? {} : { retiresAt }),
});

describe('which key signs', () => {
  it('the newest key already active; none when no key is active yet', () => {
    const old = key('old', NOW - 1000, NOW - 10);
    const current = key('current', NOW - 10);
    const waiting = key('waiting', NOW + 100);
    expect(signingKeyAt([old, current, waiting], NOW)?.kid).toBe('current');
    expect(signingKeyAt([old, current, waiting], NOW + 100)?.kid).toBe('waiting');
    expect(signingKeyAt([waiting], NOW)).toBeUndefined();
    expect(signingKeyAt([], NOW)).toBeUndefined();
  });

  it('breaks a tie in activation by creation, then kid, whatever the order of the set', () => {
    const a = { ...key('a', NOW), createdAt: NOW - 5 };
    const b = { ...key('b', NOW), createdAt: NOW - 1 };
    const c = { ...key('c', NOW), createdAt: NOW - 1 };
    expect(signingKeyAt([a, b, c], NOW)?.kid).toBe('c');
    expect(signingKeyAt([c, b, a], NOW)?.kid).toBe('c');
  });
});

describe('which keys verify', () => {
  it('a key that never retired, and a retired one until its grace has passed', () => {
    expect(verifiesAt(key('k', NOW - 10 ** 6), NOW, POLICY)).toBe(true);
    const retired = key('k', NOW - 10 ** 6, NOW - POLICY.retiredKeyGraceSeconds + 1);
    expect(verifiesAt(retired, NOW, POLICY)).toBe(true);
    expect(verifiesAt(retired, NOW + 1, POLICY)).toBe(false);
  });
});

describe('a rotation', () => {
  it('activates the first key at once', () => {
    const [first] = rotateKeys<KeyTiming>([], { kid: 'k1' }, NOW, POLICY);
    expect(first).toEqual({ kid: 'k1', createdAt: NOW, activatesAt: NOW });
    expect(signingKeyAt([first!], NOW)?.kid).toBe('k1');
  });

  it('publishes the new key now, activates it after the verifiers cache, and retires the old one then', () => {
    const keys = rotateKeys([key('k1', NOW - 1000)], { kid: 'k2' }, NOW, POLICY);
    expect(keys).toEqual([key('k1', NOW - 1000, NOW + 360), { kid: 'k2', createdAt: NOW, activatesAt: NOW + 360 }]);
    expect(POLICY.activationDelaySeconds).toBeGreaterThan(POLICY.cacheSeconds);
    // Until activation the old key signs; from then on the new one. Both verify throughout.
    expect(signingKeyAt(keys, NOW + 359)?.kid).toBe('k1');
    expect(signingKeyAt(keys, NOW + 360)?.kid).toBe('k2');
    expect(keys.every((entry) => verifiesAt(entry, NOW + 360 + 24 * 3600, POLICY))).toBe(true);
  });

  it('drops a key only once every token it signed has expired', () => {
    const retiredAt = NOW - POLICY.retiredKeyGraceSeconds;
    const keys = rotateKeys(
      [key('gone', NOW - 10 ** 6, retiredAt), key('kept', NOW - 10 ** 6, retiredAt + 1), key('k2', retiredAt)],
      { kid: 'k3' },
      NOW,
      POLICY,
    );
    expect(keys.map((entry) => entry.kid)).toEqual(['kept', 'k2', 'k3']);
  });

  it('supersedes a key still waiting to activate: it signs until the newer one takes over', () => {
    const first = rotateKeys([key('k1', NOW - 1000)], { kid: 'k2' }, NOW, POLICY);
    const second = rotateKeys(first, { kid: 'k3' }, NOW + 100, POLICY);
    expect(second.find((entry) => entry.kid === 'k2')?.retiresAt).toBe(NOW + 100 + 360);
    expect(second.find((entry) => entry.kid === 'k1')?.retiresAt).toBe(NOW + 360);
    expect(signingKeyAt(second, NOW + 360)?.kid).toBe('k2');
    expect(signingKeyAt(second, NOW + 460)?.kid).toBe('k3');
  });

  it('refuses a kid already in the set', () => {
    expect(() => rotateKeys([key('k1', NOW)], { kid: 'k1' }, NOW, POLICY)).toThrow(/already/);
  });
});

describe('what verifiers are told', () => {
  const rotated = rotateKeys([key('k1', NOW - 1000)], { kid: 'k2' }, NOW, POLICY);
  const before = [key('k1', NOW - 1000)];

  it('while only published: the new key, and no retirement signers have not acted on yet', () => {
    expect(publishedTiming(rotated, before, NOW, POLICY, false)).toEqual([
      key('k1', NOW - 1000),
      { kid: 'k2', createdAt: NOW, activatesAt: NOW + 360 },
    ]);
  });

  it('once signers can see it: the retirement as planned when the rotation finished in time', () => {
    expect(publishedTiming(rotated, before, NOW + 5, POLICY, true)[0]?.retiresAt).toBe(NOW + 360);
  });

  it('a rotation finished late retires the old key no earlier than every signer has re-read the set', () => {
    const late = NOW + 3 * 24 * 3600;
    expect(publishedTiming(rotated, before, late, POLICY, true)[0]?.retiresAt).toBe(late + POLICY.cacheSeconds);
  });

  it('keeps a retirement verifiers were already told, and drops keys the signing set dropped', () => {
    const told = [key('k0', NOW - 5000, NOW - 2000), key('k1', NOW - 1000, NOW + 400)];
    expect(publishedTiming(rotated, told, NOW + 10 ** 6, POLICY, true).map((entry) => [entry.kid, entry.retiresAt])).toEqual([
      ['k1', NOW + 400],
      ['k2', undefined],
    ]);
  });

  it('the next rotation prunes by the later of the two retirements', () => {
    const signing = [key('k1', NOW - 1000, NOW + 360)];
    expect(withPublishedRetirements(signing, [key('k1', NOW - 1000, NOW + 900)])[0]?.retiresAt).toBe(NOW + 900);
    expect(withPublishedRetirements(signing, [key('k1', NOW - 1000, NOW + 100)])[0]?.retiresAt).toBe(NOW + 360);
    expect(withPublishedRetirements(signing, [])[0]?.retiresAt).toBe(NOW + 360);
  });
});
