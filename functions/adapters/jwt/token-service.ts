import { SignJWT, decodeJwt } from 'jose';
import type { OidcIssuer } from '../../config';
import { UnauthorizedError } from '../../domain/errors';
import type { User } from '../../domain/identity';
import type { IssueOptions, TokenService, VerifiedToken } from '../../ports/tokens';
import { PARLEY_ALGORITHM } from './es256-keys';
import { identifiedCustomerIssuer, oidcIssuer, parleyIssuer, type IssuerVerifier, type MaxLifetimes } from './issuers';
import type { SigningKeySource, VerificationKeySource } from './key-sources';

export interface JwtSettings {
  readonly issuer: string;
  readonly audience: string;
  /**
   * The private keys (minting functions only) and the public ones (verifiers), each built on
   * first use: a function never reads the secret it has no use (or grant) for.
   */
  readonly signingKeys: () => SigningKeySource;
  readonly verificationKeys: () => VerificationKeySource;
  /** The longest lifetime (exp - iat) accepted per role, from any issuer. */
  readonly maxTokenSeconds: MaxLifetimes;
  /** Embedding sites sign identified-customer tokens with this HS256 key. */
  readonly identifiedCustomers?: { readonly issuer: string; readonly key: () => Promise<Uint8Array> };
  readonly oidcIssuers?: readonly OidcIssuer[];
  readonly now?: () => Date;
}

/**
 * Issues Parley's own tokens (ES256, naming the signing key in `kid`) and verifies tokens of
 * every trusted issuer. The unverified `iss` only selects the issuer; that issuer's key, pinned
 * algorithms, audience and lifetimes then decide. A token from an issuer Parley does not trust
 * is refused.
 */
export class JoseTokenService implements TokenService {
  private readonly issuers = new Map<string, IssuerVerifier>();

  constructor(private readonly settings: JwtSettings) {
    const add = (verifier: IssuerVerifier) => {
      if (this.issuers.has(verifier.issuer)) throw new Error(`Issuer ${verifier.issuer} is configured twice`);
      this.issuers.set(verifier.issuer, verifier);
    };
    add(parleyIssuer(settings.issuer, settings.audience, settings.verificationKeys, settings.maxTokenSeconds));
    const site = settings.identifiedCustomers;
    if (site) add(identifiedCustomerIssuer(site.issuer, settings.audience, site.key, settings.maxTokenSeconds));
    for (const config of settings.oidcIssuers ?? []) add(oidcIssuer(config, settings.maxTokenSeconds));
  }

  private now(): Date {
    return this.settings.now?.() ?? new Date();
  }

  async issue(user: User, lifetimeSeconds: number, options: IssueOptions = {}): Promise<{ token: string; expiresAt: number }> {
    const nowSeconds = Math.floor(this.now().getTime() / 1000);
    const issuedAt = options.issuedAt ?? nowSeconds;
    const { kid, key } = await this.settings.signingKeys().keyAt(nowSeconds);
    const expiresAt = issuedAt + Math.min(lifetimeSeconds, this.settings.maxTokenSeconds[user.role]);
    const token = await new SignJWT({
      role: user.role,
      ...(user.name ? { name: user.name } : {}),
      ...(user.skills.length > 0 ? { skills: [...user.skills] } : {}),
      ...(options.sessionId ? { sid: options.sessionId } : {}),
    })
      .setProtectedHeader({ alg: PARLEY_ALGORITHM, typ: 'JWT', kid })
      .setSubject(user.id)
      .setIssuer(this.settings.issuer)
      .setAudience(this.settings.audience)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(key);
    return { token, expiresAt };
  }

  async verify(token: string): Promise<VerifiedToken> {
    let issuer: unknown;
    try {
      issuer = decodeJwt(token).iss;
    } catch {
      throw new UnauthorizedError('The token is not valid');
    }
    const verifier = typeof issuer === 'string' ? this.issuers.get(issuer) : undefined;
    if (!verifier) throw new UnauthorizedError('The token is not valid');
    return verifier.verify(token, this.now());
  }
}
