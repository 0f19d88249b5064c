import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JoseTokenService } from '../../functions/adapters/jwt/token-service';
import type { OidcIssuer } from '../../functions/config';
import { DomainError } from '../../functions/domain/errors';

/**
 * Every token Parley must refuse, against the real verifier: Parley's own HS256 issuer, the
 * identified-customer issuer (the embedding site's HS256 key) and an OIDC issuer whose JWKS
 * is served by a local HTTP server (never the internet).
 */
const PARLEY_KEY = new TextEncoder().encode('p'.repeat(48));
const SITE_KEY = new TextEncoder().encode('s'.repeat(48));
// The verifier's clock is injected and fixed at NOW, so the suite is exact however slowly it runs.
const NOW = Math.floor(Date.parse('2026-01-15T12:00:00Z') / 1000);
const MAX = { customer: 24 * 3600, agent: 12 * 3600, supervisor: 12 * 3600, admin: 8 * 3600 };

let jwksServer: Server;
let rsaPrivate: CryptoKey;
let rsaPublicPem: string;
let otherRsaPrivate: CryptoKey;
let tokens: JoseTokenService;
let oidc: OidcIssuer;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  rsaPrivate = pair.privateKey;
  rsaPublicPem = await exportSPKI(pair.publicKey);
  otherRsaPrivate = (await generateKeyPair('RS256')).privateKey;
  const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  jwksServer = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  const { port } = jwksServer.address() as AddressInfo;
  oidc = {
    issuer: 'https://login.example.test/',
    audience: 'parley-console',
    jwksUrl: `http://127.0.0.1:${port}/jwks.json`,
    algorithms: ['RS256'],
    roles: ['agent', 'supervisor'],
    roleClaim: 'role',
    idPrefix: 'corp:',
  };
  tokens = new JoseTokenService({
    issuer: 'parley',
    audience: 'parley',
    key: async () => PARLEY_KEY,
    maxTokenSeconds: MAX,
    identifiedCustomers: { issuer: 'parley-site', key: async () => SITE_KEY },
    oidcIssuers: [oidc],
    now: () => new Date(NOW * 1000),
  });
});

afterAll(async () => {
  await new Promise<void>((resolve) => jwksServer.close(() => resolve()));
});

interface Claims {
  iss?: string;
  aud?: string;
  sub?: string;
  role?: string;
  iat?: number;
  exp?: number;
  nbf?: number;
}

const parley = (overrides: Claims = {}): Claims => ({
  iss: 'parley',
  aud: 'parley',
  sub: 'guest:1',
  role: 'customer',
  iat: NOW,
  exp: NOW + 600,
  ...overrides,
});
const site = (overrides: Claims = {}): Claims => ({
  iss: 'parley-site',
  aud: 'parley',
  sub: 'cust-42',
  iat: NOW,
  exp: NOW + 600,
  ...overrides,
});
const corp = (overrides: Claims = {}): Claims => ({
  iss: oidc.issuer,
  aud: oidc.audience,
  sub: 'u-7',
  role: 'agent',
  iat: NOW,
  exp: NOW + 600,
  ...overrides,
});

function strip(claims: Claims, name: keyof Claims): Claims {
  const { [name]: _dropped, ...rest } = claims;
  return rest;
}

async function hs256(claims: Claims, key: Uint8Array): Promise<string> {
  return new SignJWT({ ...claims }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(key);
}

async function rs256(claims: Claims, key: CryptoKey = rsaPrivate): Promise<string> {
  return new SignJWT({ ...claims }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(key);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function unsigned(claims: Claims): string {
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
}

/** The token with its payload swapped for other claims, keeping the original signature. */
function withPayload(token: string, claims: Claims): string {
  const [header, , signature] = token.split('.');
  return `${header}.${b64(claims)}.${signature}`;
}

async function refusal(token: string): Promise<string> {
  try {
    await tokens.verify(token);
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('unauthorized');
    return (error as Error).message;
  }
  throw new Error('the token was accepted');
}

describe('tokens Parley accepts', () => {
  it('its own, identified customers (prefixed ids), and OIDC staff (prefixed ids, role from the claim)', async () => {
    expect((await tokens.verify(await hs256(parley(), PARLEY_KEY))).user).toMatchObject({ id: 'guest:1', role: 'customer' });
    expect((await tokens.verify(await hs256(site(), SITE_KEY))).user).toMatchObject({ id: 'site:cust-42', role: 'customer' });
    const staff = await tokens.verify(await rs256(corp({ role: 'supervisor' })));
    expect(staff).toMatchObject({ user: { id: 'corp:u-7', role: 'supervisor' }, expiresAt: NOW + 600 });
  });

  it('tolerates 30 seconds of clock skew on exp and nbf', async () => {
    await expect(tokens.verify(await hs256(parley({ exp: NOW - 10 }), PARLEY_KEY))).resolves.toBeDefined();
    await expect(tokens.verify(await hs256(parley({ nbf: NOW + 10 }), PARLEY_KEY))).resolves.toBeDefined();
  });
});

describe('the token suite: every one refused as unauthorized', () => {
  const cases: Array<[string, () => Promise<string>]> = [
    ['forged signature (Parley issuer, another key)', () => hs256(parley(), new TextEncoder().encode('x'.repeat(48)))],
    [
      'forged signature (claims edited after signing)',
      async () => withPayload(await hs256(parley(), PARLEY_KEY), parley({ role: 'admin' })),
    ],
    ['forged signature (OIDC issuer, a key not in its JWKS)', () => rs256(corp(), otherRsaPrivate)],
    ["forged signature (site token signed with Parley's key)", () => hs256(site(), PARLEY_KEY)],
    ['alg: none (Parley issuer)', async () => unsigned(parley())],
    ['alg: none (OIDC issuer)', async () => unsigned(corp())],
    ['HS/RS confusion: HS256 keyed with the OIDC public key', () => hs256(corp(), new TextEncoder().encode(rsaPublicPem))],
    ['HS/RS confusion: RS256 presented to the HS256 Parley issuer', () => rs256(parley())],
    ['expired (beyond the tolerance)', () => hs256(parley({ iat: NOW - 700, exp: NOW - 60 }), PARLEY_KEY)],
    ['expired (OIDC)', () => rs256(corp({ iat: NOW - 700, exp: NOW - 60 }))],
    ['not yet valid (nbf beyond the tolerance)', () => hs256(parley({ nbf: NOW + 120 }), PARLEY_KEY)],
    ['not yet valid (OIDC nbf)', () => rs256(corp({ nbf: NOW + 120 }))],
    ['issued in the future', () => hs256(parley({ iat: NOW + 300, exp: NOW + 900 }), PARLEY_KEY)],
    ['wrong iss (unknown issuer)', () => hs256(parley({ iss: 'someone-else' }), PARLEY_KEY)],
    ['wrong iss (site key, Parley issuer name)', () => hs256(parley({ iss: 'parley' }), SITE_KEY)],
    ['missing iss', async () => hs256(strip(parley(), 'iss'), PARLEY_KEY)],
    ['wrong aud', () => hs256(parley({ aud: 'another-app' }), PARLEY_KEY)],
    ['wrong aud (OIDC token for another client)', () => rs256(corp({ aud: 'parley' }))],
    ['missing exp', () => hs256(strip(parley(), 'exp'), PARLEY_KEY)],
    ['missing exp (OIDC)', () => rs256(strip(corp(), 'exp'))],
    ['missing iat', () => hs256(strip(parley(), 'iat'), PARLEY_KEY)],
    ['missing sub', () => hs256(strip(parley(), 'sub'), PARLEY_KEY)],
    ['lifetime over the customer maximum', () => hs256(parley({ exp: NOW + MAX.customer + 60 }), PARLEY_KEY)],
    ['lifetime over the admin maximum', () => hs256(parley({ role: 'admin', sub: 'root', exp: NOW + MAX.admin + 60 }), PARLEY_KEY)],
    ['lifetime over the maximum (identified customer)', () => hs256(site({ exp: NOW + MAX.customer + 60 }), SITE_KEY)],
    ['lifetime over the maximum (OIDC agent)', () => rs256(corp({ exp: NOW + MAX.agent + 60 }))],
    ['identified customer claiming to be an agent', () => hs256(site({ role: 'agent' }), SITE_KEY)],
    ['OIDC token granting a role the issuer may not grant', () => rs256(corp({ role: 'admin' }))],
    ['unknown role', () => hs256(parley({ role: 'root' }), PARLEY_KEY)],
    ['sub with characters outside the id alphabet', () => hs256(parley({ sub: 'a b<script>' }), PARLEY_KEY)],
    ['not a JWT at all', async () => 'not-a-token'],
    ['three empty segments', async () => '..'],
  ];

  it.each(cases)('%s', async (_name, make) => {
    expect(await refusal(await make())).toMatch(/token/i);
  });

  it('says "expired" for an expired token so clients know to get a new one', async () => {
    expect(await refusal(await hs256(parley({ iat: NOW - 700, exp: NOW - 60 }), PARLEY_KEY))).toBe('The token has expired');
  });
});

describe('issuing', () => {
  it('caps the lifetime of issued tokens at the role maximum', async () => {
    const issued = await tokens.issue({ id: 'root', role: 'admin', name: 'Root', skills: [] }, 7 * 24 * 3600);
    expect(issued.expiresAt).toBe(NOW + MAX.admin);
    await expect(tokens.verify(issued.token)).resolves.toMatchObject({ user: { id: 'root', role: 'admin' } });
  });
});
