import { createRemoteJWKSet, type JWTPayload } from 'jose';
import type { OidcIssuer } from '../../config';
import { customerAttrsProblem } from '../../domain/customer-context';
import { UnauthorizedError } from '../../domain/errors';
import type { Role, User } from '../../domain/identity';
import type { VerifiedToken } from '../../ports/tokens';
import { SITE_USER_PREFIX, identifiedCustomerClaims, oidcClaims, parleyClaims } from './claims';
import { PARLEY_ALGORITHM } from './es256-keys';
import type { VerificationKeySource } from './key-sources';
import { assertLifetime, verifyJws } from './verify-jws';

export type MaxLifetimes = Readonly<Record<Role, number>>;

/** One trusted issuer: verifies a token whose `iss` names it. */
export interface IssuerVerifier {
  readonly issuer: string;
  verify(token: string, now: Date): Promise<VerifiedToken>;
}

function claimsOf<T>(schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } }, payload: JWTPayload): T {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) throw new UnauthorizedError('The token has invalid claims');
  return parsed.data;
}

/** Parley's own tokens (guest, login): ES256, the public key named by the token's kid. */
export function parleyIssuer(issuer: string, audience: string, keys: () => VerificationKeySource, max: MaxLifetimes): IssuerVerifier {
  return {
    issuer,
    async verify(token, now) {
      const keyFor = (header: { kid?: string | undefined }) => keys().keyFor(header.kid, Math.floor(now.getTime() / 1000));
      const payload = await verifyJws(token, keyFor, { issuer, audience, algorithms: [PARLEY_ALGORITHM] }, now);
      const claims = claimsOf(parleyClaims, payload);
      assertLifetime(payload, claims.role, max, now);
      const user: User = { id: claims.sub, role: claims.role, name: claims.name ?? '', skills: claims.skills ?? [] };
      return { user, expiresAt: claims.exp, issuedAt: claims.iat, source: 'parley', ...(claims.sid ? { sessionId: claims.sid } : {}) };
    },
  };
}

/** Customers the embedding site vouches for: HS256 with the per-deployment site secret. */
export function identifiedCustomerIssuer(
  issuer: string,
  audience: string,
  key: () => Promise<Uint8Array>,
  max: MaxLifetimes,
): IssuerVerifier {
  return {
    issuer,
    async verify(token, now) {
      const payload = await verifyJws(token, await key(), { issuer, audience, algorithms: ['HS256'] }, now);
      // Refused, not dropped: a site sending bad attributes learns at once rather than staff seeing less.
      const attrsProblem = payload.attrs === undefined ? undefined : customerAttrsProblem(payload.attrs);
      if (attrsProblem) throw new UnauthorizedError(`The token's attrs claim is refused: ${attrsProblem}`);
      const claims = claimsOf(identifiedCustomerClaims, payload);
      assertLifetime(payload, 'customer', max, now);
      const user: User = { id: `${SITE_USER_PREFIX}${claims.sub}`, role: 'customer', name: claims.name ?? '', skills: [] };
      const customer = { ...(claims.email ? { email: claims.email } : {}), ...(claims.attrs ? { attrs: claims.attrs } : {}) };
      return {
        user,
        expiresAt: claims.exp,
        issuedAt: claims.iat,
        source: 'site',
        ...(Object.keys(customer).length > 0 ? { customer } : {}),
      };
    },
  };
}

function roleFrom(value: unknown, allowed: readonly Role[]): Role {
  const candidates = Array.isArray(value) ? value : [value];
  const role = candidates.find((candidate): candidate is Role => typeof candidate === 'string' && allowed.includes(candidate as Role));
  if (!role) throw new UnauthorizedError('The token grants no role Parley accepts from this issuer');
  return role;
}

/** Agents and supervisors from an outside OIDC issuer, checked against its JWKS. */
export function oidcIssuer(config: OidcIssuer, max: MaxLifetimes): IssuerVerifier {
  // jose caches the key set and refetches it (rate-limited) when a token names an unknown kid.
  const keySet = createRemoteJWKSet(new URL(config.jwksUrl), { timeoutDuration: 3000 });
  return {
    issuer: config.issuer,
    async verify(token, now) {
      const payload = await verifyJws(token, keySet, config, now);
      const claims = claimsOf(oidcClaims, payload);
      const role = roleFrom(payload[config.roleClaim], config.roles);
      assertLifetime(payload, role, max, now);
      const user: User = {
        id: `${config.idPrefix}${claims.sub}`,
        role,
        name: claims.name ?? '',
        skills: role === 'agent' || role === 'supervisor' ? (claims.skills ?? []) : [],
      };
      return { user, expiresAt: claims.exp, issuedAt: claims.iat, source: 'oidc' };
    },
  };
}
