import type { Secret, SecretStore, SecretVersion } from './secret-store';
import { invalidParameter, validationError } from './secrets-errors';

type JsonObject = Record<string, unknown>;

function requireString(input: JsonObject, name: string): string {
  const value = input[name];
  if (typeof value !== 'string' || value === '') {
    throw validationError(`1 validation error detected: Value at '${name}' failed to satisfy constraint: Member must not be null`);
  }
  return value;
}

function optionalString(input: JsonObject, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw validationError(`Value at '${name}' must be a string.`);
  return value;
}

function optionalStringList(input: JsonObject, name: string): string[] | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
    throw validationError(`Value at '${name}' must be a list of strings.`);
  }
  return value;
}

function optionalTags(input: JsonObject): Array<{ Key: string; Value: string }> | undefined {
  const value = input.Tags;
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw validationError("Value at 'Tags' must be a list.");
  return value.map((tag: unknown) => {
    const { Key, Value } = (tag ?? {}) as JsonObject;
    if (typeof Key !== 'string' || typeof Value !== 'string') throw validationError('Each tag needs a string Key and Value.');
    return { Key, Value };
  });
}

/** Timestamps travel as epoch seconds in the AWS JSON protocols. */
function epochSeconds(ms: number): number {
  return ms / 1000;
}

function versionIdsToStages(secret: Secret): Record<string, string[]> {
  const map: Record<string, string[]> = {};
  for (const version of secret.versions.values()) map[version.versionId] = [...version.stages];
  return map;
}

function valueFields(version: SecretVersion) {
  return {
    ...(version.secretString !== undefined ? { SecretString: version.secretString } : {}),
    ...(version.secretBinary !== undefined ? { SecretBinary: version.secretBinary } : {}),
  };
}

function describe(secret: Secret) {
  return {
    ARN: secret.arn,
    Name: secret.name,
    ...(secret.description !== undefined ? { Description: secret.description } : {}),
    CreatedDate: epochSeconds(secret.createdDate),
    LastChangedDate: epochSeconds(secret.lastChangedDate),
    ...(secret.tags.length > 0 ? { Tags: secret.tags } : {}),
  };
}

function matchesFilters(secret: Secret, filters: unknown): boolean {
  if (filters === undefined || filters === null) return true;
  if (!Array.isArray(filters)) throw invalidParameter('Filters must be a list.');
  return filters.every((filter: unknown) => {
    const { Key, Values } = (filter ?? {}) as JsonObject;
    const values = Array.isArray(Values) ? Values.filter((v): v is string => typeof v === 'string').map((v) => v.toLowerCase()) : [];
    const name = secret.name.toLowerCase();
    const description = (secret.description ?? '').toLowerCase();
    switch (Key) {
      case 'name':
        return values.some((v) => name.startsWith(v));
      case 'description':
        return values.some((v) => description.startsWith(v));
      case 'all':
        return values.some((v) => name.startsWith(v) || description.startsWith(v));
      default:
        throw invalidParameter(`Unsupported filter key: ${String(Key)}.`);
    }
  });
}

export type SecretsOperation = (store: SecretStore, input: JsonObject) => unknown;

export const secretsOperations: Readonly<Record<string, SecretsOperation>> = {
  CreateSecret(store, input) {
    const { secret, version } = store.create({
      name: requireString(input, 'Name'),
      secretString: optionalString(input, 'SecretString'),
      secretBinary: optionalString(input, 'SecretBinary'),
      description: optionalString(input, 'Description'),
      clientRequestToken: optionalString(input, 'ClientRequestToken'),
      tags: optionalTags(input),
    });
    return { ARN: secret.arn, Name: secret.name, ...(version ? { VersionId: version.versionId } : {}) };
  },

  GetSecretValue(store, input) {
    const { secret, version } = store.getVersion(
      requireString(input, 'SecretId'),
      optionalString(input, 'VersionId'),
      optionalString(input, 'VersionStage'),
    );
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.versionId,
      ...valueFields(version),
      VersionStages: [...version.stages],
      CreatedDate: epochSeconds(version.createdDate),
    };
  },

  PutSecretValue(store, input) {
    const { secret, version } = store.putValue(requireString(input, 'SecretId'), {
      secretString: optionalString(input, 'SecretString'),
      secretBinary: optionalString(input, 'SecretBinary'),
      clientRequestToken: optionalString(input, 'ClientRequestToken'),
      versionStages: optionalStringList(input, 'VersionStages'),
    });
    return { ARN: secret.arn, Name: secret.name, VersionId: version.versionId, VersionStages: [...version.stages] };
  },

  UpdateSecretVersionStage(store, input) {
    const secret = store.updateStage(
      requireString(input, 'SecretId'),
      requireString(input, 'VersionStage'),
      optionalString(input, 'MoveToVersionId'),
      optionalString(input, 'RemoveFromVersionId'),
    );
    return { ARN: secret.arn, Name: secret.name };
  },

  DescribeSecret(store, input) {
    const secret = store.resolve(requireString(input, 'SecretId'));
    return { ...describe(secret), VersionIdsToStages: versionIdsToStages(secret) };
  },

  ListSecrets(store, input) {
    const maxResults = input.MaxResults ?? 100;
    if (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100) {
      throw invalidParameter('MaxResults must be an integer from 1 to 100.');
    }
    const after = optionalString(input, 'NextToken');
    const afterName = after ? Buffer.from(after, 'base64url').toString('utf8') : undefined;
    const matching = store
      .list()
      .filter((secret) => matchesFilters(secret, input.Filters))
      .filter((secret) => afterName === undefined || secret.name > afterName);
    const page = matching.slice(0, maxResults);
    const last = page.at(-1);
    return {
      SecretList: page.map((secret) => ({ ...describe(secret), SecretVersionsToStages: versionIdsToStages(secret) })),
      ...(matching.length > page.length && last ? { NextToken: Buffer.from(last.name, 'utf8').toString('base64url') } : {}),
    };
  },
};
