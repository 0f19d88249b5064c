import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { es256Keys } from '../../../functions/adapters/jwt/es256-keys';
import { EMPTY_KEY_SET, parseSigningKeySet, parseVerificationKeySet } from '../../../functions/adapters/jwt/key-sets';
import { SecretsManagerKeyRotationStore } from '../../../functions/adapters/secrets/key-rotation-store';
import type { KeyPolicy } from '../../../functions/domain/signing-keys';
import { ROTATION_STEPS, runRotationStep, type KeyRotationDeps } from '../../../functions/services/signing-key-rotation';
import { startSecretsServer, type SecretsServer } from '../../../local/secrets/secrets-server';

/**
 * The rotation service, its Secrets Manager adapter and the local emulator together: the four
 * steps as Secrets Manager runs them, each retried, with an injected clock.
 */
const SIGNING = 'parley/signing-keys';
const VERIFICATION = 'parley/verification-keys';
const NOW = 1_800_000_000;
const POLICY: KeyPolicy = { activationDelaySeconds: 360, retiredKeyGraceSeconds: 24 * 3600 + 30, cacheSeconds: 300 };

let server: SecretsServer;
let client: SecretsManagerClient;
let clockNow = NOW;
const logged: string[] = [];

beforeAll(async () => {
  server = await startSecretsServer({ port: 0, secrets: { [SIGNING]: EMPTY_KEY_SET, [VERIFICATION]: EMPTY_KEY_SET } });
  client = new SecretsManagerClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  await server.close();
});

function deps(): KeyRotationDeps {
  return {
    store: new SecretsManagerKeyRotationStore(client, server.arnOf(SIGNING), VERIFICATION),
    crypto: es256Keys,
    clock: { now: () => new Date(clockNow * 1000) },
    policy: POLICY,
    log: { info: (message) => logged.push(message), warn: () => {}, error: () => {} },
  };
}

/** As Secrets Manager does it: a new AWSPENDING version, then each step (here each twice: a retry must change nothing). */
async function rotate(): Promise<string> {
  const { versionId } = server.store.startRotation(SIGNING);
  for (const step of ROTATION_STEPS) {
    await runRotationStep(deps(), step, versionId);
    await runRotationStep(deps(), step, versionId);
  }
  return versionId;
}

const current = async (secretId: string) => (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString!;

describe('rotating the signing keys', () => {
  let first: ReturnType<typeof parseSigningKeySet>;

  it('creates the first key from the empty set, active at once, published to verifiers', async () => {
    const versionId = await rotate();
    first = parseSigningKeySet(await current(SIGNING));
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ createdAt: NOW, activatesAt: NOW });
    expect(first[0]?.privateJwk.d).toEqual(expect.any(String));
    const published = parseVerificationKeySet(await current(VERIFICATION));
    expect(published).toEqual([{ kid: first[0]!.kid, publicJwk: first[0]!.publicJwk, createdAt: NOW, activatesAt: NOW }]);
    expect(JSON.stringify(published)).not.toContain('"d"');
    const { VersionIdsToStages } = await client.send(new DescribeSecretCommand({ SecretId: SIGNING }));
    expect(VersionIdsToStages?.[versionId]).toEqual(expect.arrayContaining(['AWSCURRENT']));
  });

  it('adds a key that activates after the cache, retires the old one then, and keeps both verifiable', async () => {
    clockNow = NOW + 30 * 24 * 3600;
    await rotate();
    const keys = parseSigningKeySet(await current(SIGNING));
    expect(keys.map((key) => key.kid)).toEqual([first[0]!.kid, expect.any(String)]);
    expect(keys[1]).toMatchObject({ createdAt: clockNow, activatesAt: clockNow + POLICY.activationDelaySeconds });
    expect(keys[0]?.retiresAt).toBe(clockNow + POLICY.activationDelaySeconds);
    const published = parseVerificationKeySet(await current(VERIFICATION));
    expect(published.map(({ kid, retiresAt }) => ({ kid, retiresAt }))).toEqual([
      { kid: keys[0]!.kid, retiresAt: clockNow + POLICY.activationDelaySeconds },
      { kid: keys[1]!.kid, retiresAt: undefined },
    ]);
  });

  it('drops the retired key at the first rotation after its tokens have all expired', async () => {
    const [old] = parseSigningKeySet(await current(SIGNING));
    clockNow = old!.retiresAt! + POLICY.retiredKeyGraceSeconds;
    await rotate();
    const kids = parseSigningKeySet(await current(SIGNING)).map((key) => key.kid);
    expect(kids).toHaveLength(2);
    expect(kids).not.toContain(old!.kid);
    expect(parseVerificationKeySet(await current(VERIFICATION)).map((key) => key.kid)).toEqual(kids);
  });

  it('publishes a new key before signers can see it, without retiring anything yet', async () => {
    const before = parseVerificationKeySet(await current(VERIFICATION));
    const { versionId } = server.store.startRotation(SIGNING);
    await runRotationStep(deps(), 'createSecret', versionId);
    await runRotationStep(deps(), 'setSecret', versionId);
    const published = parseVerificationKeySet(await current(VERIFICATION));
    expect(published.slice(0, -1)).toEqual(before);
    expect(published).toHaveLength(before.length + 1);
    // Signers still read the old set: the pending one is not current.
    expect(parseSigningKeySet(await current(SIGNING)).map((key) => key.kid)).toEqual(before.map((key) => key.kid));
    await runRotationStep(deps(), 'testSecret', versionId);
    await runRotationStep(deps(), 'finishSecret', versionId);
    expect(parseSigningKeySet(await current(SIGNING))).toHaveLength(before.length + 1);
  });

  it('refuses a step for a version that was never staged, and testSecret before setSecret', async () => {
    await expect(runRotationStep(deps(), 'createSecret', 'no-such-version')).rejects.toThrow(/no stage for rotation/);
    const { versionId } = server.store.startRotation(SIGNING);
    await runRotationStep(deps(), 'createSecret', versionId);
    await expect(runRotationStep(deps(), 'testSecret', versionId)).rejects.toThrow(/not in the verification-key set/);
    // A second rotation cannot start while this one is unfinished (as RotateSecret refuses).
    expect(() => server.store.startRotation(SIGNING)).toThrow(/previous rotation isn't complete/);
    for (const step of ROTATION_STEPS.slice(1)) await runRotationStep(deps(), step, versionId);
  });
});

describe('the emulator, as the rotation uses it', () => {
  it('moves AWSCURRENT only with RemoveFromVersionId naming its holder, with AWS error types', async () => {
    const { VersionIdsToStages = {} } = await client.send(new DescribeSecretCommand({ SecretId: SIGNING }));
    const currentVersion = Object.keys(VersionIdsToStages).find((id) => VersionIdsToStages[id]?.includes('AWSCURRENT'))!;
    const previous = Object.keys(VersionIdsToStages).find((id) => VersionIdsToStages[id]?.includes('AWSPREVIOUS'))!;
    await expect(
      client.send(new UpdateSecretVersionStageCommand({ SecretId: SIGNING, VersionStage: 'AWSCURRENT', MoveToVersionId: previous })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: SIGNING,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: 'nope',
          RemoveFromVersionId: currentVersion,
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect((await client.send(new DescribeSecretCommand({ SecretId: SIGNING }))).VersionIdsToStages?.[currentVersion]).toContain(
      'AWSCURRENT',
    );
  });

  it('has no value for a version a rotation started but never filled', async () => {
    const { versionId } = server.store.startRotation(VERIFICATION);
    await expect(
      client.send(new GetSecretValueCommand({ SecretId: VERIFICATION, VersionId: versionId, VersionStage: 'AWSPENDING' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});
