import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../functions/adapters/crypto/password-hasher';
import { DynamoAgentDirectory } from '../../functions/adapters/dynamodb/agent-directory';
import { keys } from '../../functions/adapters/dynamodb/keys';
import { localDynamoClient } from '../../local/dynamodb/dynalite-server';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { getJson, postJson } from '../../local/tools/raw-client';
import { beforeAllOrFail, budget, STACK_START_MS } from '../support/setup';

/**
 * Issue 12 ("every function can read password hashes"): hashes live in CREDENTIAL#<id>, which
 * only auth-login may read, and the local stack enforces each function's grants, so these
 * requests succeeding proves the grants suffice, including the move of a hash an older
 * deployment left on the profile (no admin locked out by the upgrade).
 */

let stack: LocalStack;
let documents: DynamoDBDocumentClient;
let adminToken: string;

beforeAllOrFail(async () => {
  stack = await startLocalStack({ httpPort: 0, wsPort: 0, demo: true, web: false });
  documents = DynamoDBDocumentClient.from(localDynamoClient(stack.endpoints.dynamodb));
  adminToken = (await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'admin@example.com', password: 'parley-demo' })).body.token;
}, STACK_START_MS + budget(2));

afterAll(async () => {
  await stack?.stop();
});

const raw = async (key: { pk: string; sk: string }) =>
  (await documents.send(new GetCommand({ TableName: stack.tableName, Key: key, ConsistentRead: true }))).Item;
const login = (email: string, password: string) => postJson(`${stack.httpUrl}/v1/auth/login`, { email, password });

describe('password hashes', () => {
  it('are seeded into their own partition, never onto profiles', async () => {
    expect(await raw(keys.agentProfile('admin'))).not.toHaveProperty('passwordHash');
    expect((await raw(keys.agentCredential('admin')))?.passwordHash).toEqual(expect.stringContaining('scrypt'));
  });

  it('a legacy hash on a profile still signs in, and is moved off the profile by that sign-in', async () => {
    // As an older deployment stored an agent: the hash on AGENT#<id>/PROFILE, no credential item.
    await new DynamoAgentDirectory(documents, stack.tableName).put({
      id: 'legacy-admin',
      email: 'legacy-admin@example.com',
      name: 'Legacy',
      role: 'admin',
      skills: [],
      capacity: 1,
    });
    const profile = await raw(keys.agentProfile('legacy-admin'));
    await documents.send(
      new PutCommand({ TableName: stack.tableName, Item: { ...profile, passwordHash: await hashPassword('old-password') } }),
    );
    expect(await raw(keys.agentCredential('legacy-admin'))).toBeUndefined();

    // Other paths never return it, though they may still read the item until the move.
    const viewed = await getJson(`${stack.httpUrl}/v1/agents/legacy-admin`, adminToken);
    expect(viewed.status).toBe(200);
    expect(JSON.stringify(viewed.body)).not.toContain('scrypt');

    const signedIn = await login('legacy-admin@example.com', 'old-password');
    expect(signedIn.status).toBe(200);
    expect(await raw(keys.agentProfile('legacy-admin'))).not.toHaveProperty('passwordHash');
    expect((await raw(keys.agentCredential('legacy-admin')))?.passwordHash).toEqual(expect.stringContaining('scrypt'));
    expect((await login('legacy-admin@example.com', 'old-password')).status).toBe(200);
    expect((await login('legacy-admin@example.com', 'wrong-password')).status).toBe(401);
  });

  it('created, changed and deleted through the admin API without those functions reading them', async () => {
    const created = await postJson(
      `${stack.httpUrl}/v1/agents`,
      { id: 'pw-agent', email: 'pw-agent@example.com', name: 'Pat', password: 'first-password', skills: ['billing'], capacity: 2 },
      adminToken,
    );
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).not.toContain('scrypt');
    expect((await login('pw-agent@example.com', 'first-password')).status).toBe(200);

    const changed = await fetch(`${stack.httpUrl}/v1/agents/pw-agent`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ password: 'second-password' }),
    });
    expect(changed.status).toBe(200);
    expect((await login('pw-agent@example.com', 'first-password')).status).toBe(401);
    expect((await login('pw-agent@example.com', 'second-password')).status).toBe(200);

    const listed = await getJson(`${stack.httpUrl}/v1/agents`, adminToken);
    expect(JSON.stringify(listed.body)).not.toContain('scrypt');

    const deleted = await fetch(`${stack.httpUrl}/v1/agents/pw-agent`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(deleted.status).toBe(200);
    expect(await raw(keys.agentCredential('pw-agent'))).toBeUndefined();
  });
});
