import { errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { DomainError, UnauthorizedError } from '../../domain/errors';
import type { Role } from '../../domain/identity';
import { DependencyError } from '../../ports/errors';

/** Clocks of issuers and Lambdas drift a little; exp, nbf and iat allow this much. */
export const CLOCK_TOLERANCE_SECONDS = 30;

export class KeySetError extends DependencyError {
  override readonly name = 'KeySetError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('oidc-jwks', message, options);
  }
}

export interface IssuerRules {
  readonly issuer: string;
  readonly audience: string;
  /** Pinned: a token whose header names any other algorithm (or `none`) is refused. */
  readonly algorithms: readonly string[];
}

/**
 * Verifies signature, iss, aud, exp and nbf (with the clock tolerance), and requires exp,
 * iat and sub. Any failure is `unauthorized` with a reason that says nothing about the key;
 * an unreachable key set is a dependency failure, not the caller's fault.
 */
export async function verifyJws(token: string, key: Uint8Array | JWTVerifyGetKey, rules: IssuerRules, now: Date): Promise<JWTPayload> {
  try {
    const options = {
      algorithms: [...rules.algorithms],
      issuer: rules.issuer,
      audience: rules.audience,
      requiredClaims: ['exp', 'iat', 'sub'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      currentDate: now,
    };
    const { payload } = typeof key === 'function' ? await jwtVerify(token, key, options) : await jwtVerify(token, key, options);
    return payload;
  } catch (error) {
    // Thrown by a key getter: already says what it means (an unknown kid, an unreadable key secret).
    if (error instanceof DomainError || error instanceof DependencyError) throw error;
    if (error instanceof joseErrors.JWTExpired) throw new UnauthorizedError('The token has expired', { cause: error });
    if (error instanceof joseErrors.JWKSTimeout || !(error instanceof joseErrors.JOSEError)) {
      throw new KeySetError(`The key set of ${rules.issuer} could not be read`, { cause: error });
    }
    throw new UnauthorizedError('The token is not valid', { cause: error });
  }
}

/** exp - iat within the role's maximum, and iat not in the future. */
export function assertLifetime(payload: JWTPayload, role: Role, maxSeconds: Readonly<Record<Role, number>>, now: Date): void {
  const { exp, iat } = payload;
  if (typeof exp !== 'number' || typeof iat !== 'number') throw new UnauthorizedError('The token needs exp and iat');
  if (iat > now.getTime() / 1000 + CLOCK_TOLERANCE_SECONDS) throw new UnauthorizedError('The token was issued in the future');
  if (exp - iat > maxSeconds[role]) {
    throw new UnauthorizedError(`A ${role} token may live at most ${maxSeconds[role]} seconds`);
  }
}
