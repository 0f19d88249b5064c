import { publishedTiming, rotateKeys, withPublishedRetirements, type KeyPolicy, type KeyTiming } from '../domain/signing-keys';
import type { Clock } from '../ports/clock';
import type { KeyRotationStore, SigningKeyCrypto, SigningKeyEntry, VerificationKeyEntry } from '../ports/signing-keys';
import type { ServiceLogger } from './context';

/** The four steps Secrets Manager calls a rotation function with, in this order. */
export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

export class KeyRotationError extends Error {
  override readonly name = 'KeyRotationError';
}

export interface KeyRotationDeps {
  readonly store: KeyRotationStore;
  readonly crypto: SigningKeyCrypto;
  readonly clock: Clock;
  readonly policy: KeyPolicy;
  readonly log: ServiceLogger;
}

const CURRENT = 'AWSCURRENT';
const PENDING = 'AWSPENDING';

const seconds = (clock: Clock) => Math.floor(clock.now().getTime() / 1000);

function verificationSet(keys: readonly SigningKeyEntry[], timing: readonly KeyTiming[]): VerificationKeyEntry[] {
  return keys.map((key) => {
    const published = timing.find((candidate) => candidate.kid === key.kid) ?? key;
    return {
      kid: key.kid,
      publicJwk: key.publicJwk,
      createdAt: published.createdAt,
      activatesAt: published.activatesAt,
      ...(published.retiresAt === undefined ? {} : { retiresAt: published.retiresAt }),
    };
  });
}

/** Writes the verification set unless it already says exactly this (every step may be retried). */
async function publish(deps: KeyRotationDeps, signing: readonly SigningKeyEntry[], switched: boolean): Promise<void> {
  const published = await deps.store.verificationKeys();
  const next = verificationSet(signing, publishedTiming(signing, published, seconds(deps.clock), deps.policy, switched));
  if (JSON.stringify(next) === JSON.stringify(published)) return;
  await deps.store.putVerificationKeys(next);
  deps.log.info('Verification keys published', { kids: next.map((key) => key.kid), switched });
}

async function pendingKeys(deps: KeyRotationDeps, token: string): Promise<SigningKeyEntry[]> {
  const pending = await deps.store.signingKeys({ stage: PENDING, versionId: token });
  if (pending === undefined) throw new KeyRotationError(`No pending signing-key set for version ${token}: run createSecret first`);
  return pending;
}

/** createSecret: a new key pair added to the current set (expired keys dropped), stored as AWSPENDING. */
async function createSecret(deps: KeyRotationDeps, token: string): Promise<void> {
  if ((await deps.store.signingKeys({ stage: PENDING, versionId: token })) !== undefined) return;
  const current = await deps.store.signingKeys({ stage: CURRENT });
  if (current === undefined) throw new KeyRotationError('The signing-key secret has no current version to rotate from');
  const published = await deps.store.verificationKeys();
  const fresh = await deps.crypto.generate();
  const keys = rotateKeys(withPublishedRetirements(current, published), fresh, seconds(deps.clock), deps.policy);
  await deps.store.putPendingSigningKeys(token, keys);
  const added = keys.at(-1);
  deps.log.info('Signing key created', {
    kid: fresh.kid,
    activatesAt: added?.activatesAt,
    kept: keys.length - 1,
    dropped: current.length - (keys.length - 1),
  });
}

/** setSecret: the verifiers learn the new public key now, long before it signs anything. */
async function setSecret(deps: KeyRotationDeps, token: string): Promise<void> {
  await publish(deps, await pendingKeys(deps, token), false);
}

/** testSecret: every pending key signs a probe its public half verifies, and verifiers know every key. */
async function testSecret(deps: KeyRotationDeps, token: string): Promise<void> {
  const pending = await pendingKeys(deps, token);
  for (const key of pending) await deps.crypto.selfTest(key);
  const published = await deps.store.verificationKeys();
  for (const key of pending) {
    const known = published.find((candidate) => candidate.kid === key.kid);
    if (known === undefined || JSON.stringify(known.publicJwk) !== JSON.stringify(key.publicJwk)) {
      throw new KeyRotationError(`Key ${key.kid} is not in the verification-key set: run setSecret first`);
    }
  }
}

/** finishSecret: the pending set becomes current, then verifiers learn which keys retired. */
async function finishSecret(deps: KeyRotationDeps, token: string, stages: Readonly<Record<string, readonly string[]>>): Promise<void> {
  const currentVersion = Object.keys(stages).find((versionId) => stages[versionId]?.includes(CURRENT));
  if (currentVersion !== token) {
    await deps.store.promote(token, currentVersion);
    deps.log.info('Signing-key set promoted', { versionId: token, previous: currentVersion });
  }
  const current = await deps.store.signingKeys({ stage: CURRENT });
  if (current === undefined) throw new KeyRotationError('The signing-key secret has no current version after promotion');
  await publish(deps, current, true);
}

/**
 * One step of a Secrets Manager rotation of the signing-key secret. Every step is idempotent:
 * Secrets Manager retries a failed step with the same token (the new version's id).
 */
export async function runRotationStep(deps: KeyRotationDeps, step: RotationStep, token: string): Promise<void> {
  const stages = await deps.store.versionStages();
  const labels = stages[token];
  if (labels === undefined) throw new KeyRotationError(`Version ${token} of the signing-key secret has no stage for rotation`);
  if (labels.includes(CURRENT)) {
    // Already finished; a retried finishSecret still makes sure the verifiers were told.
    if (step === 'finishSecret') await finishSecret(deps, token, stages);
    return;
  }
  if (!labels.includes(PENDING)) throw new KeyRotationError(`Version ${token} of the signing-key secret is not AWSPENDING`);
  switch (step) {
    case 'createSecret':
      return createSecret(deps, token);
    case 'setSecret':
      return setSecret(deps, token);
    case 'testSecret':
      return testSecret(deps, token);
    case 'finishSecret':
      return finishSecret(deps, token, stages);
  }
}
