import { postJson } from '../../local/tools/raw-client';

/** Renew this long before the access token expires, so no connect ever presents a dying token. */
const RENEW_BEFORE_MS = 60_000;

interface Issued {
  readonly token: string;
  readonly expiresAt: string;
  readonly refreshToken: string;
}

/**
 * An agent's staff session for the chaos run: short-lived access tokens (15 minutes at most)
 * renewed from the rotating refresh token, one renewal at a time, so a run longer than one
 * access token keeps its agents. All of an agent's devices share it, as a console's tabs do.
 */
export class StaffTokens {
  private renewal: Promise<Issued> | undefined;

  private constructor(
    private readonly httpUrl: string,
    private current: Issued,
  ) {}

  static async signIn(httpUrl: string, email: string, password: string): Promise<StaffTokens> {
    const login = await postJson(`${httpUrl}/v1/auth/login`, { email, password });
    if (login.status !== 200) throw new Error(`chaos: agent login answered ${login.status}: ${JSON.stringify(login.body)}`);
    return new StaffTokens(httpUrl, login.body as Issued);
  }

  /** A token valid for at least a minute more. */
  async token(): Promise<string> {
    if (Date.parse(this.current.expiresAt) - Date.now() > RENEW_BEFORE_MS) return this.current.token;
    this.renewal ??= this.renew().finally(() => {
      this.renewal = undefined;
    });
    return (await this.renewal).token;
  }

  private async renew(): Promise<Issued> {
    const refreshed = await postJson(`${this.httpUrl}/v1/auth/refresh`, { refreshToken: this.current.refreshToken });
    if (refreshed.status !== 200) throw new Error(`chaos: refresh answered ${refreshed.status}: ${JSON.stringify(refreshed.body)}`);
    this.current = refreshed.body as Issued;
    return this.current;
  }
}
