import type { User } from '../domain/identity';

export interface VerifiedToken {
  readonly user: User;
  /** Epoch seconds. */
  readonly expiresAt: number;
}

export interface TokenService {
  issue(user: User, lifetimeSeconds: number): Promise<{ token: string; expiresAt: number }>;
  /** Throws UnauthorizedError for any token that is not valid now. */
  verify(token: string): Promise<VerifiedToken>;
}
