import { ApiError, type HttpApi, type StaffTokens } from '../web/http-api';

/** Renew the access token this long before it expires. */
const RENEW_BEFORE_MS = 60_000;
const REFRESH_KEY = 'parley-console:refresh';
/** Where earlier versions kept the whole (long-lived) access token: removed on load. */
const LEGACY_KEY = 'parley-console:session';

interface Stored {
  readonly refreshToken: string;
  readonly refreshExpiresAt: string;
}

/**
 * The console's staff session. The access token lives in memory only; the refresh token,
 * which the console needs to renew silently and to survive a reload, is the one thing kept
 * in localStorage. It renews a minute before the access token expires, and at once when the
 * server says `unauthorized`; a refusal of the refresh ends the session (`onEnded`).
 * Renewals are serialized across tabs (Web Locks) and read the latest stored refresh token,
 * so two tabs never spend the same one (which the server would treat as reuse).
 */
export class StaffSession {
  private current: StaffTokens | undefined;
  private renewing: Promise<StaffTokens> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private ended = false;
  /** The refresh token as last known here, for when storage is disabled. */
  private remembered: Stored | undefined;

  constructor(
    private readonly api: HttpApi,
    private readonly storage: Storage | undefined,
    private readonly onEnded: () => void,
  ) {
    try {
      storage?.removeItem(LEGACY_KEY);
    } catch {
      // Storage disabled.
    }
  }

  /** Whether a refresh token is stored (a reload can resume without the password). */
  get resumable(): boolean {
    return this.readStored() !== undefined;
  }

  get user(): StaffTokens['user'] | undefined {
    return this.current?.user;
  }

  /**
   * How long a socket opened now may stay before reconnecting with a renewed token: a
   * connection keeps the token it opened with and is closed when that expires. A minute
   * short of the access token's lifetime, never longer than `capMs`.
   */
  socketLifetimeMs(capMs: number): number {
    const expiresAt = this.current ? Date.parse(this.current.expiresAt) : Number.NaN;
    if (Number.isNaN(expiresAt)) return capMs;
    return Math.min(capMs, Math.max(RENEW_BEFORE_MS, expiresAt - Date.now() - RENEW_BEFORE_MS));
  }

  /** After a sign-in. */
  start(tokens: StaffTokens): void {
    this.accept(tokens);
  }

  /** After a reload: trades the stored refresh token for fresh tokens; false if that fails. */
  async resume(): Promise<boolean> {
    try {
      await this.renew();
      return true;
    } catch {
      return false;
    }
  }

  /** An access token good for at least `validForMs` more (default a minute), renewed first if not. */
  async accessToken(validForMs = RENEW_BEFORE_MS): Promise<string> {
    const current = this.current;
    if (current && Date.parse(current.expiresAt) - validForMs > Date.now()) return current.token;
    return (await this.renew()).token;
  }

  /** The server refused the access token (`unauthorized`): the next use renews it. */
  invalidate(): void {
    this.current = undefined;
  }

  /** Runs an HTTP call with the access token, renewing and retrying once on `unauthorized`. */
  async withToken<T>(call: (token: string) => Promise<T>): Promise<T> {
    try {
      return await call(await this.accessToken());
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 'unauthorized') throw error;
      this.invalidate();
      return call(await this.accessToken());
    }
  }

  /** Signs out: the server ends the session (and closes its sockets); local state goes too. */
  async signOut(): Promise<void> {
    const stored = this.readStored();
    this.end();
    if (stored) await this.api.logout(stored.refreshToken).catch(() => undefined);
  }

  private renew(): Promise<StaffTokens> {
    this.renewing ??= this.exclusively(async () => {
      const stored = this.readStored();
      if (!stored) throw new ApiError('unauthorized', 'signed out', 401);
      try {
        const tokens = await this.api.refresh(stored.refreshToken);
        this.accept(tokens);
        return tokens;
      } catch (error) {
        // Refused (revoked, reused, expired): the session is over. A network failure is not.
        if (error instanceof ApiError && error.code === 'unauthorized') this.endAndNotify();
        throw error;
      }
    }).finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  /** One renewal at a time across the browser's tabs, where Web Locks exist. */
  private exclusively<T>(work: () => Promise<T>): Promise<T> {
    const locks = (globalThis.navigator as Navigator | undefined)?.locks;
    return locks ? (locks.request('parley-console:renew', work) as Promise<T>) : work();
  }

  private accept(tokens: StaffTokens): void {
    this.current = tokens;
    this.ended = false;
    this.remembered = { refreshToken: tokens.refreshToken, refreshExpiresAt: tokens.refreshExpiresAt };
    try {
      this.storage?.setItem(REFRESH_KEY, JSON.stringify({ refreshToken: tokens.refreshToken, refreshExpiresAt: tokens.refreshExpiresAt }));
    } catch {
      // Storage full or disabled: the session lasts as long as the page.
    }
    clearTimeout(this.timer);
    const inMs = Math.max(1_000, Date.parse(tokens.expiresAt) - RENEW_BEFORE_MS - Date.now());
    this.timer = setTimeout(() => void this.renew().catch(() => undefined), inMs);
  }

  /** The latest refresh token: from storage (another tab may have rotated it), else the one remembered. */
  private readStored(): Stored | undefined {
    let value: Partial<Stored> | undefined = this.remembered;
    try {
      if (this.storage) {
        const raw = this.storage.getItem(REFRESH_KEY);
        value = raw ? (JSON.parse(raw) as Partial<Stored>) : undefined;
      }
    } catch {
      // Storage disabled or corrupt: the one remembered.
    }
    if (typeof value?.refreshToken !== 'string' || typeof value.refreshExpiresAt !== 'string') return undefined;
    return Date.parse(value.refreshExpiresAt) > Date.now() ? (value as Stored) : undefined;
  }

  private end(): void {
    this.current = undefined;
    this.remembered = undefined;
    clearTimeout(this.timer);
    try {
      this.storage?.removeItem(REFRESH_KEY);
    } catch {
      // Nothing stored.
    }
  }

  private endAndNotify(): void {
    this.end();
    if (this.ended) return;
    this.ended = true;
    this.onEnded();
  }
}
