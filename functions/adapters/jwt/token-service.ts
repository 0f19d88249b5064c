import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { z } from 'zod';
import { UnauthorizedError } from '../../domain/errors';
import { ROLES, SKILL_PATTERN, USER_ID_PATTERN, type User } from '../../domain/identity';
import type { TokenService, VerifiedToken } from '../../ports/tokens';

const ALGORITHM = 'HS256';
const CLOCK_TOLERANCE_SECONDS = 30;

const claimsSchema = z.object({
  sub: z.string().regex(USER_ID_PATTERN),
  role: z.enum(ROLES),
  name: z.string().max(100).optional(),
  skills: z.array(z.string().regex(SKILL_PATTERN)).max(50).optional(),
  exp: z.number().int(),
  iat: z.number().int(),
});

export interface JwtSettings {
  readonly issuer: string;
  readonly audience: string;
  /** The HS256 key (from Secrets Manager), resolved lazily and cached by the provider. */
  readonly key: () => Promise<Uint8Array>;
}

/** Parley's own tokens: HS256 only (pinned), with iss, aud, exp and iat required. */
export class JoseTokenService implements TokenService {
  constructor(private readonly settings: JwtSettings) {}

  async issue(user: User, lifetimeSeconds: number): Promise<{ token: string; expiresAt: number }> {
    const issuedAt = Math.floor(Date.now() / 1000);
    const expiresAt = issuedAt + lifetimeSeconds;
    const token = await new SignJWT({
      role: user.role,
      ...(user.name ? { name: user.name } : {}),
      ...(user.skills.length > 0 ? { skills: [...user.skills] } : {}),
    })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setSubject(user.id)
      .setIssuer(this.settings.issuer)
      .setAudience(this.settings.audience)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(await this.settings.key());
    return { token, expiresAt };
  }

  async verify(token: string): Promise<VerifiedToken> {
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, await this.settings.key(), {
        algorithms: [ALGORITHM],
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        requiredClaims: ['exp', 'iat', 'sub'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      }));
    } catch (error) {
      const reason = error instanceof joseErrors.JWTExpired ? 'The token has expired' : 'The token is not valid';
      throw new UnauthorizedError(reason, { cause: error });
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) throw new UnauthorizedError('The token has invalid claims');
    const { sub, role, name, skills, exp } = claims.data;
    return { user: { id: sub, role, name: name ?? '', skills: skills ?? [] }, expiresAt: exp };
  }
}
