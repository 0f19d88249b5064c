import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StaffSession } from '../../../clients/console/staff-session';
import { ApiError, type HttpApi, type StaffTokens } from '../../../clients/web/http-api';

class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem = (key: string) => this.items.get(key) ?? null;
  setItem = (key: string, value: string) => void this.items.set(key, value);
  removeItem = (key: string) => void this.items.delete(key);
}

const MINUTE = 60_000;
let serial = 0;
const tokens = (accessForMs = 15 * MINUTE): StaffTokens => {
  serial += 1;
  return {
    token: `access-${serial}`,
    expiresAt: new Date(Date.now() + accessForMs).toISOString(),
    refreshToken: `refresh-${serial}`,
    refreshExpiresAt: new Date(Date.now() + 720 * MINUTE).toISOString(),
    user: { id: 'agent-1', role: 'agent', name: 'Ann' },
  };
};

function setup() {
  const storage = new MemoryStorage();
  const api = { refresh: vi.fn(async (_token: string) => tokens()), logout: vi.fn(async (_token: string) => undefined) };
  const ended = vi.fn();
  const session = new StaffSession(api as unknown as HttpApi, storage as unknown as Storage, ended);
  return { storage, api, ended, session };
}

const storedRefresh = (storage: MemoryStorage) => JSON.parse(storage.getItem('parley-console:refresh') ?? 'null')?.refreshToken;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the console staff session', () => {
  it('keeps the access token in memory and stores only the refresh token', async () => {
    const { storage, api, session } = setup();
    storage.setItem('parley-console:session', '{"token":"old-long-lived-jwt"}');
    const signedIn = tokens();
    new StaffSession(api as unknown as HttpApi, storage as unknown as Storage, () => undefined);
    session.start(signedIn);
    expect(await session.accessToken()).toBe(signedIn.token);
    expect(api.refresh).not.toHaveBeenCalled();
    expect([...storage.items.keys()]).toEqual(['parley-console:refresh']);
    expect([...storage.items.values()].join()).not.toContain(signedIn.token);
    expect(storedRefresh(storage)).toBe(signedIn.refreshToken);
  });

  it('renews a minute before expiry, once for concurrent callers, and stores the rotated refresh token', async () => {
    const { storage, api, session } = setup();
    const signedIn = tokens(30_000);
    session.start(signedIn);
    const [a, b] = await Promise.all([session.accessToken(), session.accessToken()]);
    expect(a).toBe(b);
    expect(a).not.toBe(signedIn.token);
    expect(api.refresh).toHaveBeenCalledTimes(1);
    expect(api.refresh).toHaveBeenCalledWith(signedIn.refreshToken);
    expect(storedRefresh(storage)).not.toBe(signedIn.refreshToken);
  });

  it('gives a socket a token that outlives its planned lifetime, which ends a minute before a fresh token expires', async () => {
    const { api, session } = setup();
    session.start(tokens(15 * MINUTE));
    const lifetime = session.socketLifetimeMs(115 * MINUTE);
    expect(lifetime).toBe(14 * MINUTE);
    expect(await session.accessToken(lifetime)).toBe(`access-${serial}`);
    await vi.advanceTimersByTimeAsync(5 * MINUTE);
    // 10 minutes left: too short for a socket planned to live 14, so it is renewed first.
    await session.accessToken(lifetime);
    expect(api.refresh).toHaveBeenCalledTimes(1);
  });

  it('renews by itself before the access token expires', async () => {
    const { api, session } = setup();
    session.start(tokens(15 * MINUTE));
    await vi.advanceTimersByTimeAsync(14 * MINUTE + 1000);
    expect(api.refresh).toHaveBeenCalledTimes(1);
  });

  it('renews after an `unauthorized` reply and retries the call once', async () => {
    const { api, session } = setup();
    const signedIn = tokens();
    session.start(signedIn);
    const seen: string[] = [];
    const result = await session.withToken(async (token) => {
      seen.push(token);
      if (seen.length === 1) throw new ApiError('unauthorized', 'revoked', 401);
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(seen[0]).toBe(signedIn.token);
    expect(seen[1]).not.toBe(signedIn.token);
    expect(api.refresh).toHaveBeenCalledTimes(1);
  });

  it('ends the session when the refresh is refused, but not on a network failure', async () => {
    const { storage, api, ended, session } = setup();
    session.start(tokens());
    api.refresh.mockRejectedValueOnce(new ApiError('network', 'offline', 0));
    session.invalidate();
    await expect(session.accessToken()).rejects.toThrow('offline');
    expect(ended).not.toHaveBeenCalled();
    api.refresh.mockRejectedValueOnce(new ApiError('unauthorized', 'The session has ended', 401));
    await expect(session.accessToken()).rejects.toThrow('ended');
    expect(ended).toHaveBeenCalledTimes(1);
    expect(storage.items.size).toBe(0);
  });

  it('sign out calls logout with the refresh token and forgets it', async () => {
    const { storage, api, session } = setup();
    const signedIn = tokens();
    session.start(signedIn);
    await session.signOut();
    expect(api.logout).toHaveBeenCalledWith(signedIn.refreshToken);
    expect(storage.items.size).toBe(0);
    expect(session.resumable).toBe(false);
  });

  it('resumes after a reload from the stored refresh token', async () => {
    const { storage, api } = setup();
    storage.setItem(
      'parley-console:refresh',
      JSON.stringify({ refreshToken: 'stored', refreshExpiresAt: new Date(Date.now() + MINUTE).toISOString() }),
    );
    const reloaded = new StaffSession(api as unknown as HttpApi, storage as unknown as Storage, () => undefined);
    expect(reloaded.resumable).toBe(true);
    expect(await reloaded.resume()).toBe(true);
    expect(api.refresh).toHaveBeenCalledWith('stored');
    expect(reloaded.user).toMatchObject({ id: 'agent-1' });
  });
});
