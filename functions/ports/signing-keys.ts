import type { KeyTiming } from '../domain/signing-keys';

/** A JSON Web Key as stored (EC P-256: kty, crv, x, y and, for private keys, d). */
export type Jwk = Readonly<Record<string, string>>;

/** An entry of the signing-key set: readable only by the functions that mint tokens. */
export interface SigningKeyEntry extends KeyTiming {
  readonly privateJwk: Jwk;
  readonly publicJwk: Jwk;
}

/** An entry of the verification-key set: the public half and the same timing. */
export interface VerificationKeyEntry extends KeyTiming {
  readonly publicJwk: Jwk;
}

/** Where `{stage, versionId}` selects a version of the signing-key secret. */
export interface VersionSelector {
  readonly stage: 'AWSCURRENT' | 'AWSPENDING';
  readonly versionId?: string;
}

/** The two key secrets as the rotation function sees them (Secrets Manager's versions and stages). */
export interface KeyRotationStore {
  /** Each version id of the signing-key secret and its staging labels. */
  versionStages(): Promise<Readonly<Record<string, readonly string[]>>>;
  /** A version of the signing-key set, or undefined when no such version has a value. */
  signingKeys(select: VersionSelector): Promise<SigningKeyEntry[] | undefined>;
  /** Stores `keys` as version `versionId` labelled AWSPENDING (idempotent for the same value). */
  putPendingSigningKeys(versionId: string, keys: readonly SigningKeyEntry[]): Promise<void>;
  /** Moves AWSCURRENT to `versionId` (from `fromVersionId`, which becomes AWSPREVIOUS). */
  promote(versionId: string, fromVersionId: string | undefined): Promise<void>;
  /** The current verification-key set (empty when it has none yet). */
  verificationKeys(): Promise<VerificationKeyEntry[]>;
  putVerificationKeys(keys: readonly VerificationKeyEntry[]): Promise<void>;
}

/** Key material: generating ES256 key pairs and proving a key signs what its public half verifies. */
export interface SigningKeyCrypto {
  generate(): Promise<{ kid: string; privateJwk: Jwk; publicJwk: Jwk }>;
  /** Signs a probe token with the key and verifies it with the public half; throws if that fails. */
  selfTest(key: SigningKeyEntry): Promise<void>;
}
