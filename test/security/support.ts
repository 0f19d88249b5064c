import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type AttributeValue, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SignJWT } from 'jose';
import { localDynamoClient } from '../../local/dynamodb/dynalite-server';
import { LOCAL_REGION, LOCAL_TABLE, type LocalStack } from '../../local/stack';
import { RawClient, postJson, type Frame } from '../../local/tools/raw-client';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** The local stack's own HS256 signing key, read the way the handlers read it. */
export async function parleySigningKey(stack: LocalStack): Promise<Uint8Array> {
  const client = new SecretsManagerClient({ endpoint: stack.endpoints.secretsManager, region: LOCAL_REGION, credentials });
  const secret = await client.send(new GetSecretValueCommand({ SecretId: 'parley/jwt-signing-key' }));
  return new TextEncoder().encode(secret.SecretString!);
}

export interface Identity {
  readonly id: string;
  readonly role: 'customer' | 'agent' | 'supervisor' | 'admin';
  readonly name?: string;
  readonly skills?: readonly string[];
}

/** A token as Parley would issue it, for roles no public endpoint hands out (supervisor, admin). */
export async function mintToken(key: Uint8Array, identity: Identity, lifetimeSeconds = 3600): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    role: identity.role,
    name: identity.name ?? identity.id,
    ...(identity.skills ? { skills: [...identity.skills] } : {}),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(identity.id)
    .setIssuer('parley')
    .setAudience('parley')
    .setIssuedAt(now)
    .setExpirationTime(now + lifetimeSeconds)
    .sign(key);
}

/** Every item in the table except connection records, as a stable fingerprint of what is stored. */
export async function storedItems(stack: LocalStack): Promise<string[]> {
  const client = localDynamoClient(stack.endpoints.dynamodb);
  const items: string[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: LOCAL_TABLE, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) {
      // Connection records change as connections come and go; they hold no user content.
      if ([item.pk?.S, item.sk?.S].some((key) => key?.startsWith('CONN#'))) continue;
      items.push(JSON.stringify(item));
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return items.sort();
}

export async function guestToken(stack: LocalStack, name = 'Ann'): Promise<string> {
  const response = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name });
  if (response.status !== 201) throw new Error(`guest token: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.token as string;
}

export async function connectAndSync(stack: LocalStack, token: string): Promise<{ client: RawClient; session: Frame }> {
  const client = await RawClient.connect(stack.wsUrl, token);
  client.send({ action: 'sync' });
  const session = await client.nextOfType('session');
  await client.nextOfType('synced');
  return { client, session };
}

/** Sends a frame and waits for the reply of the given types that answers it. */
export async function ask(client: RawClient, frame: unknown, types: string[]): Promise<Frame> {
  client.send(frame);
  return client.next((reply) => types.includes(reply.type));
}

/** Messages waiting, in flight or delayed on the routing queue: background work not yet done. */
async function routingBacklog(stack: LocalStack): Promise<number> {
  const client = new SQSClient({ endpoint: stack.endpoints.sqs, region: LOCAL_REGION, credentials });
  const { Attributes = {} } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: stack.routingQueueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return Object.values(Attributes).reduce((sum, count) => sum + Number(count ?? 0), 0);
}

/**
 * Waits until background work (routing, notices) is done: the routing queue is drained and
 * the table has stopped changing. The queue check is the condition; the quiet period only
 * catches writes that do not go through the queue, and a slow machine only lengthens the wait.
 */
export async function settled(stack: LocalStack, quietMs = 300, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let previous = '';
  while (Date.now() < deadline) {
    const backlog = await routingBacklog(stack);
    const current = JSON.stringify(await storedItems(stack));
    if (backlog === 0 && current === previous) return;
    previous = backlog === 0 ? current : '';
    await new Promise((resolve) => setTimeout(resolve, quietMs));
  }
  throw new Error(`the routing queue or the table kept changing for ${timeoutMs} ms`);
}
