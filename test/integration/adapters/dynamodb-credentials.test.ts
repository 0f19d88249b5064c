import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAgentDirectory } from '../../../functions/adapters/dynamodb/agent-directory';
import { DynamoCredentialStore } from '../../../functions/adapters/dynamodb/credential-store';
import { keys } from '../../../functions/adapters/dynamodb/keys';
import type { AgentProfile } from '../../../functions/ports/agent-directory';
import { on, type TableAccess } from '../../../functions/table-access';
import { ensureTable, localDynamoClient, startDynalite, type DynaliteServer } from '../../../local/dynamodb/dynalite-server';
import { runAsEntry } from '../../../local/iam/entry-scope';
import { enforceTableGrants } from '../../../local/iam/table-grant-checker';
import { currentEntry } from '../../../local/iam/entry-scope';

const TABLE = 'parley-credentials-test';
let server: DynaliteServer;
let documents: DynamoDBDocumentClient;
let directory: DynamoAgentDirectory;
let credentials: DynamoCredentialStore;

// A writer that may put and delete credentials but not read them, as agents-update is granted.
const BLIND_WRITER: TableAccess = [on(['CREDENTIAL#*'], 'PutItem', 'DeleteItem'), on(['AGENT#*'], 'UpdateItem')];

beforeAll(async () => {
  server = await startDynalite({ port: 0 });
  const client = localDynamoClient(server.endpoint);
  await ensureTable(client, TABLE);
  enforceTableGrants(client, { currentEntry, accessOf: () => BLIND_WRITER });
  documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  directory = new DynamoAgentDirectory(documents, TABLE);
  credentials = new DynamoCredentialStore(documents, TABLE);
});

afterAll(async () => {
  await server?.close();
});

const profile = (id: string): AgentProfile => ({
  id,
  email: `${id}@example.com`,
  name: id,
  role: 'agent',
  skills: ['billing'],
  capacity: 2,
});

async function rawProfile(id: string) {
  return (await documents.send(new GetCommand({ TableName: TABLE, Key: keys.agentProfile(id), ConsistentRead: true }))).Item;
}

/** A profile as an older deployment wrote it: the hash on the profile item. */
async function putLegacyProfile(id: string, hash: string) {
  await directory.put(profile(id));
  await documents.send(new PutCommand({ TableName: TABLE, Item: { ...(await rawProfile(id)), passwordHash: hash } }));
}

describe('DynamoCredentialStore on dynalite', () => {
  it('keeps the hash in CREDENTIAL#<id>/PASSWORD, never on the profile', async () => {
    await directory.put(profile('cred-a'));
    await credentials.setPasswordHash('cred-a', 'hash-1');
    expect(await credentials.passwordHash('cred-a')).toBe('hash-1');
    expect(await rawProfile('cred-a')).not.toHaveProperty('passwordHash');
    const stored = await documents.send(new GetCommand({ TableName: TABLE, Key: keys.agentCredential('cred-a') }));
    expect(stored.Item?.passwordHash).toBe('hash-1');
  });

  it('sets and removes a hash without reading it (blind writes pass a grant without GetItem)', async () => {
    await directory.put(profile('cred-b'));
    await runAsEntry('blind-writer', () => credentials.setPasswordHash('cred-b', 'hash-2'));
    expect(await credentials.passwordHash('cred-b')).toBe('hash-2');
    await runAsEntry('blind-writer', () => credentials.remove('cred-b'));
    expect(await credentials.passwordHash('cred-b')).toBeUndefined();
    // And the same grant cannot read it.
    await expect(runAsEntry('blind-writer', () => credentials.passwordHash('cred-a'))).rejects.toThrow('DynamoDB GetItem failed');
  });

  it('moves a legacy hash off the profile on first read, so no one is locked out', async () => {
    await putLegacyProfile('cred-legacy', 'old-hash');
    expect((await rawProfile('cred-legacy'))?.passwordHash).toBe('old-hash');
    // Profiles never carry it, even before it moves.
    expect(await directory.get('cred-legacy')).not.toHaveProperty('passwordHash');
    expect(await credentials.passwordHash('cred-legacy')).toBe('old-hash');
    expect(await rawProfile('cred-legacy')).not.toHaveProperty('passwordHash');
    expect(await credentials.passwordHash('cred-legacy')).toBe('old-hash');
  });

  it('keeps a legacy hash when the profile is replaced before the agent signs in', async () => {
    await putLegacyProfile('cred-edit', 'old-hash');
    await directory.put({ ...profile('cred-edit'), capacity: 5 });
    expect((await rawProfile('cred-edit'))?.capacity).toBe(5);
    expect(await credentials.passwordHash('cred-edit')).toBe('old-hash');
  });

  it('a new password replaces a legacy hash and removes it from the profile', async () => {
    await putLegacyProfile('cred-new', 'old-hash');
    await credentials.setPasswordHash('cred-new', 'new-hash');
    expect(await rawProfile('cred-new')).not.toHaveProperty('passwordHash');
    expect(await credentials.passwordHash('cred-new')).toBe('new-hash');
  });

  it('has nothing for an agent without a password, and creates no profile item while looking', async () => {
    expect(await credentials.passwordHash('cred-none')).toBeUndefined();
    await credentials.setPasswordHash('cred-orphan', 'hash');
    expect(await rawProfile('cred-orphan')).toBeUndefined();
  });
});
