import { randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { PasswordHasher } from '../../ports/password-hasher';

const scrypt = promisify(scryptCallback) as (password: string, salt: Buffer, keylen: number, options: object) => Promise<Buffer>;

/** scrypt with per-password salt; encoded as scrypt$N$r$p$salt$hash (base64). */
const COST = { N: 16384, r: 8, p: 1 };
const KEY_LENGTH = 32;

const encode = (salt: Buffer, hash: Buffer) =>
  ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64'), hash.toString('base64')].join('$');

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return encode(salt, await scrypt(password, salt, KEY_LENGTH, COST));
}

export const scryptHasher: PasswordHasher = {
  hash: hashPassword,
  // A real scrypt encoding of a random password nobody knows, with the production cost.
  decoyHash: encode(randomBytes(16), randomBytes(KEY_LENGTH)),
  async verify(password: string, encoded: string): Promise<boolean> {
    const [scheme, n, r, p, salt, hash] = encoded.split('$');
    if (scheme !== 'scrypt' || !salt || !hash) return false;
    const expected = Buffer.from(hash, 'base64');
    const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, {
      N: Number(n),
      r: Number(r),
      p: Number(p),
    });
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  },
};
