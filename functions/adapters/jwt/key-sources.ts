import { importJWK, type CryptoKey } from 'jose';
import { UnauthorizedError } from '../../domain/errors';
import { signingKeyAt, verifiesAt, type KeyPolicy } from '../../domain/signing-keys';
import type { Jwk, SigningKeyEntry, VerificationKeyEntry } from '../../ports/signing-keys';
import { SecretsError } from '../secrets/secret-source';
import { PARLEY_ALGORITHM } from './es256-keys';
import { KeySetFormatError, parseSigningKeySet, parseVerificationKeySet } from './key-sets';

/** Reads a key secret's text; `fresh` bypasses the cache (Powertools Parameters, maxAge). */
export type ReadKeySecret = (options: { fresh?: boolean }) => Promise<string>;

/** A verifier meeting an unknown kid re-reads the verification set at most this often. */
export const UNKNOWN_KID_REFETCH_SECONDS = 30;

/** Parses a secret's text once per distinct value (the provider caches the text, not the parse). */
function parsedOnce<T>(parse: (text: string) => T): (text: string) => T {
  let last: { text: string; value: T } | undefined;
  return (text) => {
    if (last?.text !== text) {
      try {
        last = { text, value: parse(text) };
      } catch (error) {
        if (error instanceof KeySetFormatError) throw new SecretsError(error.message, { cause: error });
        throw error;
      }
    }
    return last.value;
  };
}

/** Imported CryptoKeys by kid and use: a kid always names the same key, so imports are kept. */
class ImportedKeys {
  private readonly keys = new Map<string, Promise<CryptoKey>>();

  get(kid: string, use: 'sign' | 'verify', jwk: Jwk): Promise<CryptoKey> {
    const id = `${use}:${kid}`;
    let key = this.keys.get(id);
    if (key === undefined) {
      key = importJWK(jwk, PARLEY_ALGORITHM) as Promise<CryptoKey>;
      key.catch(() => this.keys.delete(id));
      this.keys.set(id, key);
    }
    return key;
  }
}

/** The minting functions' view: which private key signs now. */
export class SigningKeySource {
  private readonly parse = parsedOnce(parseSigningKeySet);
  private readonly imported = new ImportedKeys();

  constructor(private readonly read: ReadKeySecret) {}

  async keyAt(nowSeconds: number): Promise<{ kid: string; key: CryptoKey }> {
    const keys: SigningKeyEntry[] = this.parse(await this.read({}));
    const entry = signingKeyAt(keys, nowSeconds);
    if (entry === undefined) throw new SecretsError('No signing key is active: the signing-key secret has not been rotated yet');
    return { kid: entry.kid, key: await this.imported.get(entry.kid, 'sign', entry.privateJwk) };
  }
}

/**
 * The verifiers' view: the public key a token's kid names. An unknown kid re-reads the set
 * once, bypassing the cache, at most every UNKNOWN_KID_REFETCH_SECONDS per container (a
 * flood of made-up kids costs one read per interval); a key past its retirement is refused.
 */
export class VerificationKeySource {
  private readonly parse = parsedOnce(parseVerificationKeySet);
  private readonly imported = new ImportedKeys();
  private lastRefetchAt = Number.NEGATIVE_INFINITY;
  private refetching: Promise<string> | undefined;

  constructor(
    private readonly read: ReadKeySecret,
    private readonly policy: Pick<KeyPolicy, 'retiredKeyGraceSeconds'>,
  ) {}

  private async refetch(nowSeconds: number): Promise<VerificationKeyEntry[] | undefined> {
    if (this.refetching === undefined) {
      if (nowSeconds - this.lastRefetchAt < UNKNOWN_KID_REFETCH_SECONDS) return undefined;
      this.lastRefetchAt = nowSeconds;
      this.refetching = this.read({ fresh: true }).finally(() => {
        this.refetching = undefined;
      });
    }
    return this.parse(await this.refetching);
  }

  async keyFor(kid: unknown, nowSeconds: number): Promise<CryptoKey> {
    if (typeof kid !== 'string') throw new UnauthorizedError('The token is not valid', { cause: new Error('The token names no kid') });
    let entry = this.parse(await this.read({})).find((key) => key.kid === kid);
    entry ??= (await this.refetch(nowSeconds))?.find((key) => key.kid === kid);
    if (entry === undefined) throw new UnauthorizedError('The token is not valid', { cause: new Error(`Unknown kid ${kid.slice(0, 64)}`) });
    if (!verifiesAt(entry, nowSeconds, this.policy)) {
      throw new UnauthorizedError('The token is not valid', { cause: new Error(`Key ${entry.kid} has retired`) });
    }
    return this.imported.get(entry.kid, 'verify', entry.publicJwk);
  }
}
