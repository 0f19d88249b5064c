import type { CustomerAttrs } from '../domain/customer-context';
import type { User } from '../domain/identity';

/** What the embedding site vouches for about an identified customer (its token's `email` and `attrs`). */
export interface VouchedCustomer {
  readonly email?: string;
  readonly attrs?: CustomerAttrs;
}

export interface VerifiedToken {
  readonly user: User;
  /** Epoch seconds. */
  readonly expiresAt: number;
  /** `iat`, epoch seconds. */
  readonly issuedAt: number;
  /** Who vouches for the token: Parley itself, the embedding site, or an OIDC issuer. */
  readonly source: 'parley' | 'site' | 'oidc';
  /** `sid`: the staff session a Parley token belongs to. */
  readonly sessionId?: string | undefined;
  /** Identified customers: the site's `email` and `attrs` claims. */
  readonly customer?: VouchedCustomer;
}

export interface IssueOptions {
  /** The staff session the token belongs to (the `sid` claim). */
  readonly sessionId?: string;
  /** `iat` when it must not be now (a sign-in right after a revocation counts from its cutoff). */
  readonly issuedAt?: number;
}

export interface TokenService {
  issue(user: User, lifetimeSeconds: number, options?: IssueOptions): Promise<{ token: string; expiresAt: number }>;
  /** Throws UnauthorizedError for any token that is not valid now. */
  verify(token: string): Promise<VerifiedToken>;
}
