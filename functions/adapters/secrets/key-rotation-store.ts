import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { KeyRotationStore, SigningKeyEntry, VerificationKeyEntry, VersionSelector } from '../../ports/signing-keys';
import { parseSigningKeySet, parseVerificationKeySet, serializeKeySet } from '../jwt/key-sets';
import { SecretsError } from './secret-source';

async function call<T>(what: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw new SecretsError(`Could not ${what}`, { cause: error });
  }
}

/**
 * The signing-key secret (versions and stages, as a rotation uses them) and the verification-key
 * secret, through the SDK directly: a rotation must never read a cached value.
 */
export class SecretsManagerKeyRotationStore implements KeyRotationStore {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly signingSecretId: string,
    private readonly verificationSecretId: string,
  ) {}

  async versionStages(): Promise<Readonly<Record<string, readonly string[]>>> {
    const described = await call('describe the signing-key secret', () =>
      this.client.send(new DescribeSecretCommand({ SecretId: this.signingSecretId })),
    );
    return described.VersionIdsToStages ?? {};
  }

  async signingKeys(select: VersionSelector): Promise<SigningKeyEntry[] | undefined> {
    let text: string | undefined;
    try {
      const value = await this.client.send(
        new GetSecretValueCommand({ SecretId: this.signingSecretId, VersionStage: select.stage, VersionId: select.versionId }),
      );
      text = value.SecretString;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw new SecretsError(`Could not read the ${select.stage} signing-key set`, { cause: error });
    }
    return text === undefined ? undefined : parseSigningKeySet(text);
  }

  async putPendingSigningKeys(versionId: string, keys: readonly SigningKeyEntry[]): Promise<void> {
    await call('store the pending signing-key set', () =>
      this.client.send(
        new PutSecretValueCommand({
          SecretId: this.signingSecretId,
          ClientRequestToken: versionId,
          SecretString: serializeKeySet(keys),
          VersionStages: ['AWSPENDING'],
        }),
      ),
    );
  }

  async promote(versionId: string, fromVersionId: string | undefined): Promise<void> {
    await call('promote the pending signing-key set', () =>
      this.client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: this.signingSecretId,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: versionId,
          RemoveFromVersionId: fromVersionId,
        }),
      ),
    );
  }

  async verificationKeys(): Promise<VerificationKeyEntry[]> {
    const value = await call('read the verification-key set', () =>
      this.client.send(new GetSecretValueCommand({ SecretId: this.verificationSecretId })),
    );
    return value.SecretString === undefined ? [] : parseVerificationKeySet(value.SecretString);
  }

  async putVerificationKeys(keys: readonly VerificationKeyEntry[]): Promise<void> {
    await call('publish the verification-key set', () =>
      this.client.send(new PutSecretValueCommand({ SecretId: this.verificationSecretId, SecretString: serializeKeySet(keys) })),
    );
  }
}
