import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, decodeProtectedHeader, exportJWK, exportSPKI, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { es256Keys } from '../../functions/adapters/jwt/es256-keys';
import { SigningKeySource, UNKNOWN_KID_REFETCH_SECONDS, VerificationKeySource } from '../../functions/adapters/jwt/key-sources';
import { serializeKeySet } from '../../functions/adapters/jwt/key-sets';
import { JoseTokenService } from '../../functions/adapters/jwt/token-service';
import type { OidcIssuer } from '../../functions/config';
import { DomainError } from '../../functions/domain/errors';
import type { SigningKeyEntry } from '../../functions/ports/signing-keys';

/**
 * Every token Parley must refuse, against the real verifier: Parley's own ES256 issuer (its
 * key named by `kid` in a verification-key set), the identified-customer issuer (the embedding
 * site's HS256 key) and an OIDC issuer whose JWKS is served by a local HTTP server (never the
 * internet).
 */
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
/** The verifier's clock (epoch seconds); tests that move it put it back. */
let clockNow = NOW;
/** Parley's signing key (active), another one never published, and the secrets' texts the sources read. */
let parleyKey: SigningKeyEntry;
let unpublishedKey: SigningKeyEntry;
let signingSecret: string;
let verificationSecret: string;
/** What the verifier's cache holds: the secret as of its last fresh read. */
let verificationCache: string;
let freshReads = 0;

async function keyEntry(activatesAt: number): Promise<SigningKeyEntry> {
  return { ...(await es256Keys.generate()), createdAt: activatesAt, activatesAt };
}

/** New key sets in the secrets; `cached` also puts them in the verifier's cache (as if it had expired since). */
function publish(keys: readonly SigningKeyEntry[], cached = true): void {
  signingSecret = serializeKeySet(keys);
  verificationSecret = serializeKeySet(keys.map(({ privateJwk: _private, ...publicHalf }) => publicHalf));
  if (cached) verificationCache = verificationSecret;
}

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
  parleyKey = await keyEntry(NOW - 3600);
  unpublishedKey = await keyEntry(NOW - 3600);
  publish([parleyKey]);
  const signing = new SigningKeySource(async () => signingSecret);
  const verification = new VerificationKeySource(
    async ({ fresh }) => {
      if (fresh) {
        freshReads += 1;
        verificationCache = verificationSecret;
      }
      return verificationCache;
    },
    { retiredKeyGraceSeconds: MAX.customer + 30 },
  );
  tokens = new JoseTokenService({
    issuer: 'parley',
    audience: 'parley',
    signingKeys: () => signing,
    verificationKeys: () => verification,
    maxTokenSeconds: MAX,
    identifiedCustomers: { issuer: 'parley-site', key: async () => SITE_KEY },
    oidcIssuers: [oidc],
    now: () => new Date(clockNow * 1000),
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

async function hs256(claims: Claims, key: Uint8Array, kid?: string): Promise<string> {
  return new SignJWT({ ...claims }).setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...(kid ? { kid } : {}) }).sign(key);
}

/** Signed as Parley signs: ES256 with `key`'s private half, its header naming `kid` (default: the key's own). */
async function es256(claims: Claims, key: SigningKeyEntry = parleyKey, kid: string | null = key.kid): Promise<string> {
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT', ...(kid === null ? {} : { kid }) })
    .sign(await importJWK(key.privateJwk, 'ES256'));
}

async function rs256(claims: Claims, key: CryptoKey = rsaPrivate): Promise<string> {
  return new SignJWT({ ...claims }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(key);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function unsigned(claims: Claims, kid?: string): string {
  return `${b64({ alg: 'none', typ: 'JWT', ...(kid ? { kid } : {}) })}.${b64(claims)}.`;
}

/** Parley's public key as an attacker finds it (the verification set's JWK, or SPKI PEM), as HMAC key bytes. */
function publicKeyBytes(form: 'jwk'): Uint8Array;
function publicKeyBytes(form: 'pem'): Promise<Uint8Array>;
function publicKeyBytes(form: 'jwk' | 'pem'): Uint8Array | Promise<Uint8Array> {
  if (form === 'jwk') return new TextEncoder().encode(JSON.stringify(parleyKey.publicJwk));
  return importJWK(parleyKey.publicJwk, 'ES256').then(async (key) => new TextEncoder().encode(await exportSPKI(key as CryptoKey)));
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
    expect((await tokens.verify(await es256(parley()))).user).toMatchObject({ id: 'guest:1', role: 'customer' });
    expect((await tokens.verify(await hs256(site(), SITE_KEY))).user).toMatchObject({ id: 'site:cust-42', role: 'customer' });
    const staff = await tokens.verify(await rs256(corp({ role: 'supervisor' })));
    expect(staff).toMatchObject({ user: { id: 'corp:u-7', role: 'supervisor' }, expiresAt: NOW + 600 });
  });

  it("identified customers carry the site's email and attrs (issue 10)", async () => {
    const attrs = { plan: 'gold', seats: 12, vip: true };
    const verified = await tokens.verify(await hs256({ ...site(), email: 'ann@shop.example', attrs } as Claims, SITE_KEY));
    expect(verified.customer).toEqual({ email: 'ann@shop.example', attrs });
    expect((await tokens.verify(await hs256(site(), SITE_KEY))).customer).toBeUndefined();
  });

  it('tolerates 30 seconds of clock skew on exp and nbf', async () => {
    await expect(tokens.verify(await es256(parley({ exp: NOW - 10 })))).resolves.toBeDefined();
    await expect(tokens.verify(await es256(parley({ nbf: NOW + 10 })))).resolves.toBeDefined();
  });
});

describe('the token suite: every one refused as unauthorized', () => {
  const cases: Array<[string, () => Promise<string>]> = [
    ["forged signature (Parley's kid, another key's signature)", () => es256(parley(), unpublishedKey, parleyKey.kid)],
    [
      'forged signature (Parley issuer, HS256 with a made-up key)',
      () => hs256(parley(), new TextEncoder().encode('x'.repeat(48)), parleyKey.kid),
    ],
    ['forged signature (claims edited after signing)', async () => withPayload(await es256(parley()), parley({ role: 'admin' }))],
    ['forged signature (OIDC issuer, a key not in its JWKS)', () => rs256(corp(), otherRsaPrivate)],
    ["forged signature (site token signed with Parley's key)", () => es256(site())],
    ['alg: none (Parley issuer)', async () => unsigned(parley())],
    ['alg: none (OIDC issuer)', async () => unsigned(corp())],
    ['HS/RS confusion: HS256 keyed with the OIDC public key', () => hs256(corp(), new TextEncoder().encode(rsaPublicPem))],
    ['HS/RS confusion: RS256 presented to the ES256 Parley issuer', () => rs256(parley())],
    ['expired (beyond the tolerance)', () => es256(parley({ iat: NOW - 700, exp: NOW - 60 }))],
    ['expired (OIDC)', () => rs256(corp({ iat: NOW - 700, exp: NOW - 60 }))],
    ['not yet valid (nbf beyond the tolerance)', () => es256(parley({ nbf: NOW + 120 }))],
    ['not yet valid (OIDC nbf)', () => rs256(corp({ nbf: NOW + 120 }))],
    ['issued in the future', () => es256(parley({ iat: NOW + 300, exp: NOW + 900 }))],
    ['wrong iss (unknown issuer)', () => es256(parley({ iss: 'someone-else' }))],
    ['wrong iss (site key, Parley issuer name)', () => hs256(parley({ iss: 'parley' }), SITE_KEY)],
    ['missing iss', async () => es256(strip(parley(), 'iss'))],
    ["key confusion: HS256 keyed with the bytes of Parley's public JWK", () => hs256(parley(), publicKeyBytes('jwk'), parleyKey.kid)],
    [
      "key confusion: HS256 keyed with Parley's public key as SPKI PEM",
      async () => hs256(parley(), await publicKeyBytes('pem'), parleyKey.kid),
    ],
    ["alg: none with Parley's kid", async () => unsigned(parley(), parleyKey.kid)],
    ['no kid', () => es256(parley(), parleyKey, null)],
    ['wrong aud', () => es256(parley({ aud: 'another-app' }))],
    ['wrong aud (OIDC token for another client)', () => rs256(corp({ aud: 'parley' }))],
    ['missing exp', () => es256(strip(parley(), 'exp'))],
    ['missing exp (OIDC)', () => rs256(strip(corp(), 'exp'))],
    ['missing iat', () => es256(strip(parley(), 'iat'))],
    ['missing sub', () => es256(strip(parley(), 'sub'))],
    ['lifetime over the customer maximum', () => es256(parley({ exp: NOW + MAX.customer + 60 }))],
    ['lifetime over the admin maximum', () => es256(parley({ role: 'admin', sub: 'root', exp: NOW + MAX.admin + 60 }))],
    ['lifetime over the maximum (identified customer)', () => hs256(site({ exp: NOW + MAX.customer + 60 }), SITE_KEY)],
    ['lifetime over the maximum (OIDC agent)', () => rs256(corp({ exp: NOW + MAX.agent + 60 }))],
    ['identified customer claiming to be an agent', () => hs256(site({ role: 'agent' }), SITE_KEY)],
    // Issue 10: a bad attrs claim refuses the whole token (never silently dropped).
    [
      'identified customer with 21 attrs',
      () => hs256({ ...site(), attrs: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i])) } as Claims, SITE_KEY),
    ],
    ['identified customer with a nested attrs value', () => hs256({ ...site(), attrs: { address: { city: 'x' } } } as Claims, SITE_KEY)],
    ['identified customer with a bad attrs key', () => hs256({ ...site(), attrs: { 'bad key': 1 } } as Claims, SITE_KEY)],
    [
      'identified customer with an attrs string over 200 characters',
      () => hs256({ ...site(), attrs: { note: 'x'.repeat(201) } } as Claims, SITE_KEY),
    ],
    ['identified customer with a bad email', () => hs256({ ...site(), email: 'not-an-email' } as Claims, SITE_KEY)],
    ['OIDC token granting a role the issuer may not grant', () => rs256(corp({ role: 'admin' }))],
    ['unknown role', () => es256(parley({ role: 'root' }))],
    ['sub with characters outside the id alphabet', () => es256(parley({ sub: 'a b<script>' }))],
    ['not a JWT at all', async () => 'not-a-token'],
    ['three empty segments', async () => '..'],
  ];

  it.each(cases)('%s', async (_name, make) => {
    expect(await refusal(await make())).toMatch(/token/i);
  });

  it('says "expired" for an expired token so clients know to get a new one', async () => {
    expect(await refusal(await es256(parley({ iat: NOW - 700, exp: NOW - 60 })))).toBe('The token has expired');
  });
});

describe('issuing', () => {
  it('signs ES256 with the active key, naming it in the header', async () => {
    const { token } = await tokens.issue({ id: 'guest:9', role: 'customer', name: '', skills: [] }, 600);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', typ: 'JWT', kid: parleyKey.kid });
    await expect(tokens.verify(token)).resolves.toMatchObject({ user: { id: 'guest:9' }, source: 'parley' });
  });

  it('caps the lifetime of issued tokens at the role maximum', async () => {
    const issued = await tokens.issue({ id: 'root', role: 'admin', name: 'Root', skills: [] }, 7 * 24 * 3600);
    expect(issued.expiresAt).toBe(NOW + MAX.admin);
    await expect(tokens.verify(issued.token)).resolves.toMatchObject({ user: { id: 'root', role: 'admin' } });
  });
});

describe('signing keys: kid lookup, refetch and retirement', () => {
  const refusedBecause = async (token: string): Promise<string> => {
    try {
      await tokens.verify(token);
    } catch (error) {
      expect((error as DomainError).code).toBe('unauthorized');
      return String(((error as Error).cause as Error | undefined)?.message);
    }
    throw new Error('the token was accepted');
  };

  it('refuses an unknown kid after exactly one refetch, and refetches at most once per interval', async () => {
    const stranger = await keyEntry(NOW - 60);
    const before = freshReads;
    expect(await refusedBecause(await es256(parley(), stranger))).toMatch(/Unknown kid/);
    expect(freshReads).toBe(before + 1);
    // Another unknown kid within the interval: refused from the cached set, no second read.
    expect(await refusedBecause(await es256(parley(), unpublishedKey))).toMatch(/Unknown kid/);
    expect(freshReads).toBe(before + 1);
    clockNow = NOW + UNKNOWN_KID_REFETCH_SECONDS;
    try {
      expect(await refusedBecause(await es256(parley({ iat: clockNow, exp: clockNow + 600 }), stranger))).toMatch(/Unknown kid/);
      expect(freshReads).toBe(before + 2);
    } finally {
      clockNow = NOW;
    }
  });

  it('accepts a key published after the verifier cached its set, found by that one refetch', async () => {
    const newer = await keyEntry(NOW + 3600);
    clockNow = NOW + 10 * UNKNOWN_KID_REFETCH_SECONDS; // past any earlier refetch
    const before = freshReads;
    try {
      // In the secret, not yet in the verifier's cache: one fresh read finds it.
      publish([parleyKey, newer], false);
      const token = await es256(parley({ iat: clockNow, exp: clockNow + 600 }), newer);
      await expect(tokens.verify(token)).resolves.toMatchObject({ user: { id: 'guest:1' } });
      expect(freshReads).toBe(before + 1);
      // Now cached: no further read.
      await expect(tokens.verify(token)).resolves.toBeDefined();
      expect(freshReads).toBe(before + 1);
    } finally {
      publish([parleyKey]);
      clockNow = NOW;
    }
  });

  it('refuses a key past its retirement plus the longest token lifetime, and accepts it before', async () => {
    const retiresAt = NOW - MAX.customer - 30;
    publish([{ ...parleyKey, retiresAt }]);
    try {
      expect(await refusedBecause(await es256(parley()))).toMatch(/retired/);
      publish([{ ...parleyKey, retiresAt: retiresAt + 1 }]);
      await expect(tokens.verify(await es256(parley()))).resolves.toBeDefined();
    } finally {
      publish([parleyKey]);
    }
  });

  it('does not issue before any key is active (a dependency failure, not a bad token)', async () => {
    publish([{ ...parleyKey, activatesAt: NOW + 1 }]);
    try {
      await expect(tokens.issue({ id: 'guest:9', role: 'customer', name: '', skills: [] }, 600)).rejects.toThrow(
        /No signing key is active/,
      );
    } finally {
      publish([parleyKey]);
    }
  });
});
