import * as z from '../../shared/zod';
import type { SigningKeyEntry, VerificationKeyEntry } from '../../ports/signing-keys';

/**
 * The JSON of the two key secrets. Signing set (private, minting functions and rotation only):
 * `{"keys": [{kid, privateJwk, publicJwk, createdAt, activatesAt, retiresAt?}]}`; verification
 * set (public, every verifier): `{"keys": [{kid, publicJwk, createdAt, activatesAt, retiresAt?}]}`.
 * Times are epoch seconds. A new deployment starts with `{"keys": []}` until the first rotation.
 */
const epochSeconds = z.number().check(z.int(), z.nonnegative());
const ecPublicJwk = z.strictObject({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: z.string().check(z.minLength(1)),
  y: z.string().check(z.minLength(1)),
});
const ecPrivateJwk = z.extend(ecPublicJwk, { d: z.string().check(z.minLength(1)) });
const timing = {
  kid: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/)),
  createdAt: epochSeconds,
  activatesAt: epochSeconds,
  retiresAt: z.optional(epochSeconds),
};

const signingKeySet = z.strictObject({
  keys: z.array(z.strictObject({ ...timing, privateJwk: ecPrivateJwk, publicJwk: ecPublicJwk })).check(z.maxLength(20)),
});
const verificationKeySet = z.strictObject({
  keys: z.array(z.strictObject({ ...timing, publicJwk: ecPublicJwk })).check(z.maxLength(20)),
});

export const EMPTY_KEY_SET = JSON.stringify({ keys: [] });

export class KeySetFormatError extends Error {
  override readonly name = 'KeySetFormatError';
}

function parseWith<T>(schema: z.ZodMiniType<{ keys: T[] }>, text: string, what: string): T[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new KeySetFormatError(`The ${what} is not JSON`, { cause: error });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new KeySetFormatError(`The ${what} is not a valid key set: ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data.keys;
}

export function parseSigningKeySet(text: string): SigningKeyEntry[] {
  return parseWith(signingKeySet, text, 'signing-key set') as SigningKeyEntry[];
}

export function parseVerificationKeySet(text: string): VerificationKeyEntry[] {
  return parseWith(verificationKeySet, text, 'verification-key set') as VerificationKeyEntry[];
}

export function serializeKeySet(keys: readonly (SigningKeyEntry | VerificationKeyEntry)[]): string {
  return JSON.stringify({ keys });
}
