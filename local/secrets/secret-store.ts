import { randomBytes, randomUUID } from 'node:crypto';
import { invalidParameter, invalidRequest, resourceExists, resourceNotFound } from './secrets-errors';

export const CURRENT_STAGE = 'AWSCURRENT';
export const PREVIOUS_STAGE = 'AWSPREVIOUS';
export const PENDING_STAGE = 'AWSPENDING';

export interface SecretValueInput {
  secretString?: string;
  /** Base64, as the JSON protocol carries blobs. */
  secretBinary?: string;
}

export interface SecretVersion extends SecretValueInput {
  readonly versionId: string;
  readonly createdDate: number;
  readonly stages: Set<string>;
}

export interface Secret {
  readonly name: string;
  readonly arn: string;
  description?: string;
  readonly createdDate: number;
  lastChangedDate: number;
  readonly tags: Array<{ Key: string; Value: string }>;
  readonly versions: Map<string, SecretVersion>;
}

export interface CreateSecretInput extends SecretValueInput {
  name: string;
  description?: string;
  clientRequestToken?: string;
  tags?: Array<{ Key: string; Value: string }>;
}

export interface PutSecretValueInput extends SecretValueInput {
  clientRequestToken?: string;
  versionStages?: readonly string[];
}

const NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const ARN_SUFFIX_CHARACTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomArnSuffix(): string {
  return [...randomBytes(6)].map((byte) => ARN_SUFFIX_CHARACTERS[byte % ARN_SUFFIX_CHARACTERS.length]).join('');
}

/** A version RotateSecret created for the rotation function to fill: it has stages but no value yet. */
function hasValue(version: SecretValueInput): boolean {
  return version.secretString !== undefined || version.secretBinary !== undefined;
}

function sameValue(a: SecretValueInput, b: SecretValueInput): boolean {
  return a.secretString === b.secretString && a.secretBinary === b.secretBinary;
}

/** Secrets with versions and staging labels, as Secrets Manager keeps them. */
export class SecretStore {
  private readonly secrets = new Map<string, Secret>();

  constructor(
    readonly region: string,
    readonly accountId: string,
    private readonly now: () => number = Date.now,
  ) {}

  private arnPrefix(): string {
    return `arn:aws:secretsmanager:${this.region}:${this.accountId}:secret:`;
  }

  create(input: CreateSecretInput): { secret: Secret; version?: SecretVersion } {
    if (!NAME_PATTERN.test(input.name)) {
      throw invalidParameter('Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!');
    }
    if (this.secrets.has(input.name)) {
      throw resourceExists(`The operation failed because the secret ${input.name} already exists.`);
    }
    if (input.secretString !== undefined && input.secretBinary !== undefined) {
      throw invalidParameter('You can only specify one of SecretString or SecretBinary.');
    }
    const now = this.now();
    const secret: Secret = {
      name: input.name,
      arn: `${this.arnPrefix()}${input.name}-${randomArnSuffix()}`,
      ...(input.description !== undefined ? { description: input.description } : {}),
      createdDate: now,
      lastChangedDate: now,
      tags: input.tags ?? [],
      versions: new Map(),
    };
    this.secrets.set(input.name, secret);
    if (input.secretString === undefined && input.secretBinary === undefined) return { secret };
    const version = this.addVersion(secret, input, input.clientRequestToken, [CURRENT_STAGE]);
    return { secret, version };
  }

  /** Finds a secret by name, full ARN, or partial ARN (without the random suffix). */
  resolve(secretId: string): Secret {
    const byName = this.secrets.get(secretId);
    if (byName) return byName;
    if (secretId.startsWith(this.arnPrefix())) {
      for (const secret of this.secrets.values()) {
        if (secret.arn === secretId || `${this.arnPrefix()}${secret.name}` === secretId) return secret;
      }
    }
    throw resourceNotFound();
  }

  getVersion(secretId: string, versionId?: string, versionStage?: string): { secret: Secret; version: SecretVersion } {
    const secret = this.resolve(secretId);
    if (versionId !== undefined) {
      const version = secret.versions.get(versionId);
      if (!version || !hasValue(version) || (versionStage !== undefined && !version.stages.has(versionStage))) {
        throw resourceNotFound(`Secrets Manager can't find the specified secret value for VersionId: ${versionId}`);
      }
      return { secret, version };
    }
    const stage = versionStage ?? CURRENT_STAGE;
    for (const version of secret.versions.values()) {
      if (version.stages.has(stage) && hasValue(version)) return { secret, version };
    }
    throw resourceNotFound(`Secrets Manager can't find the specified secret value for staging label: ${stage}`);
  }

  putValue(secretId: string, input: PutSecretValueInput): { secret: Secret; version: SecretVersion } {
    const secret = this.resolve(secretId);
    if ((input.secretString === undefined) === (input.secretBinary === undefined)) {
      throw invalidParameter('You must provide exactly one of SecretString or SecretBinary.');
    }
    if (input.clientRequestToken !== undefined) {
      const existing = secret.versions.get(input.clientRequestToken);
      if (existing && !hasValue(existing)) {
        // The version a rotation started: the rotation function's createSecret fills it in.
        secret.versions.delete(existing.versionId);
        const version = this.addVersion(secret, input, existing.versionId, input.versionStages ?? [...existing.stages]);
        return { secret, version };
      }
      if (existing) {
        if (!sameValue(existing, input)) {
          throw resourceExists(`You can't modify an existing version, you can only create a new version. VersionId: ${existing.versionId}`);
        }
        return { secret, version: existing };
      }
    }
    const version = this.addVersion(secret, input, input.clientRequestToken, input.versionStages ?? [CURRENT_STAGE]);
    return { secret, version };
  }

  /**
   * What RotateSecret does before it invokes the rotation function: a new version (the
   * ClientRequestToken) labelled AWSPENDING, with no value yet. Refused while an earlier
   * rotation's AWSPENDING version has not become AWSCURRENT.
   */
  startRotation(secretId: string, clientRequestToken: string = randomUUID()): { secret: Secret; versionId: string } {
    const secret = this.resolve(secretId);
    for (const version of secret.versions.values()) {
      if (version.stages.has(PENDING_STAGE) && !version.stages.has(CURRENT_STAGE) && version.versionId !== clientRequestToken) {
        throw invalidRequest("A previous rotation isn't complete. That rotation will be reattempted.");
      }
    }
    if (!secret.versions.has(clientRequestToken)) {
      for (const version of secret.versions.values()) version.stages.delete(PENDING_STAGE);
      secret.versions.set(clientRequestToken, { versionId: clientRequestToken, createdDate: this.now(), stages: new Set([PENDING_STAGE]) });
    }
    return { secret, versionId: clientRequestToken };
  }

  /** UpdateSecretVersionStage: moves (or removes) a staging label, as AWS does. */
  updateStage(secretId: string, stage: string, moveTo: string | undefined, removeFrom: string | undefined): Secret {
    const secret = this.resolve(secretId);
    const holder = [...secret.versions.values()].find((version) => version.stages.has(stage));
    if (removeFrom !== undefined && holder?.versionId !== removeFrom) {
      throw invalidParameter(`The staging label ${stage} is not attached to version ${removeFrom}.`);
    }
    if (moveTo === undefined) {
      if (removeFrom === undefined) throw invalidParameter('You must specify MoveToVersionId or RemoveFromVersionId.');
      if (stage === CURRENT_STAGE) throw invalidParameter('You can only move staging label AWSCURRENT to a different secret version.');
      holder?.stages.delete(stage);
      return secret;
    }
    const target = secret.versions.get(moveTo);
    if (!target) throw resourceNotFound(`Secrets Manager can't find the specified secret version: ${moveTo}`);
    if (holder === target) return secret;
    if (holder !== undefined && removeFrom === undefined) {
      throw invalidParameter(
        `The staging label ${stage} is currently attached to version ${holder.versionId}. You must specify RemoveFromVersionId to move it to ${moveTo}.`,
      );
    }
    if (holder) holder.stages.delete(stage);
    if (stage === CURRENT_STAGE && holder) {
      for (const version of secret.versions.values()) version.stages.delete(PREVIOUS_STAGE);
      holder.stages.add(PREVIOUS_STAGE);
    }
    target.stages.add(stage);
    for (const [id, version] of secret.versions) if (version.stages.size === 0) secret.versions.delete(id);
    secret.lastChangedDate = this.now();
    return secret;
  }

  list(): Secret[] {
    return [...this.secrets.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Adds a version; moving AWSCURRENT demotes the old current version to AWSPREVIOUS. */
  private addVersion(secret: Secret, value: SecretValueInput, versionId: string | undefined, stages: readonly string[]): SecretVersion {
    const version: SecretVersion = {
      versionId: versionId ?? randomUUID(),
      createdDate: this.now(),
      stages: new Set(),
      ...(value.secretString !== undefined ? { secretString: value.secretString } : {}),
      ...(value.secretBinary !== undefined ? { secretBinary: value.secretBinary } : {}),
    };
    for (const stage of stages) {
      for (const other of secret.versions.values()) {
        if (!other.stages.delete(stage)) continue;
        if (stage === CURRENT_STAGE) {
          for (const older of secret.versions.values()) older.stages.delete(PREVIOUS_STAGE);
          other.stages.add(PREVIOUS_STAGE);
        }
      }
      version.stages.add(stage);
    }
    secret.versions.set(version.versionId, version);
    // Versions with no staging label are deprecated; drop them so history stays small.
    for (const [id, other] of secret.versions) {
      if (other !== version && other.stages.size === 0) secret.versions.delete(id);
    }
    secret.lastChangedDate = this.now();
    return version;
  }
}
