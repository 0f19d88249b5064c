import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecretsServer } from '../../../local/secrets/secrets-server';
import { startSecretsServer } from '../../../local/secrets/secrets-server';

let server: SecretsServer;
let client: SecretsManagerClient;
const savedEnv = { ...process.env };

beforeAll(async () => {
  server = await startSecretsServer({
    port: 0,
    region: 'eu-central-1',
    secrets: { 'parley/jwt': JSON.stringify({ kid: 'k1', secret: 's3cr3t' }), 'parley/plain': 'plain-value' },
  });
  client = new SecretsManagerClient({
    endpoint: server.endpoint,
    region: 'eu-central-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  // Powertools builds its own default client; point it here purely through configuration.
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = server.endpoint;
  process.env.AWS_REGION = 'eu-central-1';
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
  delete process.env.AWS_PROFILE;
});

afterAll(async () => {
  process.env = savedEnv;
  client.destroy();
  await server.close();
});

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('local Secrets Manager with the real client', () => {
  it('serves seeded secrets by name, full ARN and partial ARN', async () => {
    const arn = server.arnOf('parley/plain');
    expect(arn).toMatch(/^arn:aws:secretsmanager:eu-central-1:000000000000:secret:parley\/plain-[A-Za-z0-9]{6}$/);
    for (const secretId of ['parley/plain', arn, arn.slice(0, -7)]) {
      const value = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
      expect(value).toMatchObject({ Name: 'parley/plain', ARN: arn, SecretString: 'plain-value', VersionStages: ['AWSCURRENT'] });
      expect(value.CreatedDate).toBeInstanceOf(Date);
    }
  });

  it('creates secrets, rotates values with PutSecretValue and keeps AWSPREVIOUS', async () => {
    const created = await client.send(new CreateSecretCommand({ Name: 'rotating', SecretString: 'v1', Description: 'test secret' }));
    expect(created.VersionId).toBeTruthy();
    const put = await client.send(
      new PutSecretValueCommand({ SecretId: 'rotating', SecretString: 'v2', ClientRequestToken: 'token-0000000000000000000000000002' }),
    );
    expect(put).toMatchObject({ VersionId: 'token-0000000000000000000000000002', VersionStages: ['AWSCURRENT'] });

    expect((await client.send(new GetSecretValueCommand({ SecretId: 'rotating' }))).SecretString).toBe('v2');
    const previous = await client.send(new GetSecretValueCommand({ SecretId: 'rotating', VersionStage: 'AWSPREVIOUS' }));
    expect(previous).toMatchObject({ SecretString: 'v1', VersionId: created.VersionId });

    // Same token and value is idempotent; same token with another value is refused.
    await client.send(
      new PutSecretValueCommand({ SecretId: 'rotating', SecretString: 'v2', ClientRequestToken: 'token-0000000000000000000000000002' }),
    );
    const conflict = await errorOf(
      client.send(
        new PutSecretValueCommand({ SecretId: 'rotating', SecretString: 'v3', ClientRequestToken: 'token-0000000000000000000000000002' }),
      ),
    );
    expect(conflict).toBeInstanceOf(ResourceExistsException);

    const described = await client.send(new DescribeSecretCommand({ SecretId: 'rotating' }));
    expect(described.Description).toBe('test secret');
    expect(described.VersionIdsToStages).toEqual({
      [created.VersionId ?? '']: ['AWSPREVIOUS'],
      'token-0000000000000000000000000002': ['AWSCURRENT'],
    });
  });

  it('stores binary secrets', async () => {
    const bytes = new Uint8Array([1, 2, 3, 254]);
    await client.send(new CreateSecretCommand({ Name: 'binary', SecretBinary: bytes }));
    const value = await client.send(new GetSecretValueCommand({ SecretId: 'binary' }));
    expect(value.SecretBinary).toEqual(bytes);
    expect(value.SecretString).toBeUndefined();
  });

  it('lists secrets with name filters and pagination', async () => {
    const all = await client.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: ['parley/'] }] }));
    expect(all.SecretList?.map((s) => s.Name)).toEqual(['parley/jwt', 'parley/plain']);
    const first = await client.send(new ListSecretsCommand({ MaxResults: 1 }));
    expect(first.SecretList).toHaveLength(1);
    const second = await client.send(new ListSecretsCommand({ MaxResults: 1, NextToken: first.NextToken }));
    expect(second.SecretList?.[0]?.Name).not.toBe(first.SecretList?.[0]?.Name);
  });

  it('reports missing secrets and duplicates with AWS error names', async () => {
    const missing = await errorOf(client.send(new GetSecretValueCommand({ SecretId: 'does/not/exist' })));
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect(missing.message).toBe("Secrets Manager can't find the specified secret.");
    const noStage = await errorOf(client.send(new GetSecretValueCommand({ SecretId: 'parley/plain', VersionStage: 'AWSPENDING' })));
    expect(noStage.name).toBe('ResourceNotFoundException');
    const duplicate = await errorOf(client.send(new CreateSecretCommand({ Name: 'parley/plain', SecretString: 'x' })));
    expect(duplicate.name).toBe('ResourceExistsException');
  });

  it('works with Powertools getSecret through the endpoint environment variable', async () => {
    await expect(getSecret('parley/plain')).resolves.toBe('plain-value');
    await expect(getSecret('parley/jwt', { transform: 'json' })).resolves.toEqual({ kid: 'k1', secret: 's3cr3t' });
    await client.send(new PutSecretValueCommand({ SecretId: 'parley/plain', SecretString: 'rotated' }));
    await expect(getSecret('parley/plain', { forceFetch: true })).resolves.toBe('rotated');
  });
});
