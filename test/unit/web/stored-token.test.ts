import { SignJWT, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { StoredToken, isCurrentGuestToken } from '../../../clients/web/stored-token';

/** localStorage's shape over a Map. */
function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (index) => [...items.keys()][index] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, value),
  };
}

const NOW = Date.parse('2026-11-30T12:00:00Z');
const expiresAt = new Date(NOW + 3600_000).toISOString();
const user = { id: 'guest:01ABC', role: 'customer', name: '' };

async function es256Token(): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256');
  return new SignJWT({ role: 'customer' }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setSubject(user.id).sign(privateKey);
}

async function hs256Token(): Promise<string> {
  return new SignJWT({ role: 'customer' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(user.id)
    .sign(new TextEncoder().encode('an older deployment key of 32 chars'));
}

describe("the widget's stored guest token across the move to ES256 signing keys", () => {
  it('keeps a stored ES256 guest token', async () => {
    const stored = new StoredToken(memoryStorage(), 'guest', isCurrentGuestToken);
    const token = await es256Token();
    stored.write({ token, expiresAt, user } as never);
    expect(stored.read(NOW)?.token).toBe(token);
  });

  it('drops an HS256 guest token from an older deployment, which the server now refuses, so a new visitor starts', async () => {
    const stored = new StoredToken(memoryStorage(), 'guest', isCurrentGuestToken);
    stored.write({ token: await hs256Token(), expiresAt, user } as never);
    expect(stored.read(NOW)).toBeUndefined();
  });

  it('reads garbage as no current token', () => {
    for (const token of ['', 'not-a-jwt', '!!!.e30.x', 'e30.e30.x']) expect(isCurrentGuestToken(token), token).toBe(false);
  });

  it('without a check keeps any unexpired token (identified customers bring their own)', async () => {
    const stored = new StoredToken(memoryStorage(), 'guest');
    const token = await hs256Token();
    stored.write({ token, expiresAt, user } as never);
    expect(stored.read(NOW)?.token).toBe(token);
  });
});
