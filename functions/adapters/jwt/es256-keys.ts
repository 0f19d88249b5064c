import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, jwtVerify } from 'jose';
import type { Jwk, SigningKeyCrypto, SigningKeyEntry } from '../../ports/signing-keys';

/** Parley's own tokens are ES256 (ECDSA on P-256): verifiers hold only the public half. */
export const PARLEY_ALGORITHM = 'ES256';

function stringFields(jwk: Record<string, unknown>, names: readonly string[]): Jwk {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = jwk[name];
    if (typeof value !== 'string') throw new Error(`The generated key has no ${name}`);
    picked[name] = value;
  }
  return picked;
}

/** Key pairs from jose (WebCrypto); the kid is the public key's RFC 7638 thumbprint. */
export const es256Keys: SigningKeyCrypto = {
  async generate() {
    const { privateKey, publicKey } = await generateKeyPair(PARLEY_ALGORITHM, { extractable: true });
    const publicJwk = stringFields(await exportJWK(publicKey), ['kty', 'crv', 'x', 'y']);
    const privateJwk = stringFields(await exportJWK(privateKey), ['kty', 'crv', 'x', 'y', 'd']);
    return { kid: await calculateJwkThumbprint(publicJwk), privateJwk, publicJwk };
  },

  async selfTest(key: SigningKeyEntry) {
    if ((await calculateJwkThumbprint(key.publicJwk)) !== key.kid)
      throw new Error(`Key ${key.kid}: the kid is not its public key's thumbprint`);
    const probe = await new SignJWT({ probe: true })
      .setProtectedHeader({ alg: PARLEY_ALGORITHM, kid: key.kid })
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(await importJWK(key.privateJwk, PARLEY_ALGORITHM));
    const { protectedHeader } = await jwtVerify(probe, await importJWK(key.publicJwk, PARLEY_ALGORITHM), {
      algorithms: [PARLEY_ALGORITHM],
    });
    if (protectedHeader.kid !== key.kid) throw new Error(`Key ${key.kid}: the probe token lost its kid`);
  },
};
