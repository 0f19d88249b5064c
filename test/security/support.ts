import { type AttributeValue, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SignJWT, importJWK, type CryptoKey } from 'jose';
import { signingKeyAt } from '../../functions/domain/signing-keys';
import { localDynamoClient } from '../../local/dynamodb/dynalite-server';
import { LOCAL_REGION, type LocalStack } from '../../local/stack';
import { RawClient, postJson, type Frame } from '../../local/tools/raw-client';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** A private key of the local stack with its kid: what Parley signs its tokens with. */
export interface ParleyKey {
  readonly kid: string;
  readonly key: CryptoKey;
}

/** The local stack's signing key at `nowSeconds` (or the key `kid` names), from its private key set. */
export async function parleySigningKey(stack: LocalStack, select: { nowSeconds?: number; kid?: string } = {}): Promise<ParleyKey> {
  const keys = stack.signingKeys();
  const entry =
    select.kid === undefined
      ? signingKeyAt(keys, select.nowSeconds ?? Math.floor(Date.now() / 1000))
      : keys.find((candidate) => candidate.kid === select.kid);
  if (entry === undefined) throw new Error('the local stack has no such signing key');
  return { kid: entry.kid, key: (await importJWK(entry.privateJwk, 'ES256')) as CryptoKey };
}

export interface Identity {
  readonly id: string;
  readonly role: 'customer' | 'agent' | 'supervisor' | 'admin';
  readonly name?: string;
  readonly skills?: readonly string[];
}

/** A token as Parley would issue it, for roles no public endpoint hands out (supervisor, admin). */
export async function mintToken(
  signer: ParleyKey,
  identity: Identity,
  lifetimeSeconds = 3600,
  now = Math.floor(Date.now() / 1000),
): Promise<string> {
  return new SignJWT({
    role: identity.role,
    name: identity.name ?? identity.id,
    ...(identity.skills ? { skills: [...identity.skills] } : {}),
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: signer.kid })
    .setSubject(identity.id)
    .setIssuer('parley')
    .setAudience('parley')
    .setIssuedAt(now)
    .setExpirationTime(now + lifetimeSeconds)
    .sign(signer.key);
}

/**
 * Every item in the table except connection records, as a stable fingerprint of what is stored.
 * Read once the event sinks are done (reports, search, webhooks write after the request that
 * published the event), so two fingerprints around a refused request compare what it did.
 */
export async function storedItems(stack: LocalStack): Promise<string[]> {
  await drained(stack, [stack.eventsQueueUrl, stack.webhookQueues.queueUrl]);
  const client = localDynamoClient(stack.endpoints.dynamodb);
  const items: string[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: stack.tableName, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) {
      // Connection records change as connections come and go; they hold no user content.
      if ([item.pk?.S, item.sk?.S].some((key) => key?.startsWith('CONN#'))) continue;
      // Search postings are written by the events consumer, after and apart from the request
      // that published the event (a refused request publishes none): they may land between
      // two snapshots.
      if (['SEARCH#', 'SEARCHCONV#'].some((prefix) => item.pk?.S?.startsWith(prefix))) continue;
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

/** Messages waiting, in flight or delayed on these queues: background work not yet done. */
async function backlog(stack: LocalStack, queueUrls: readonly string[]): Promise<number> {
  const client = new SQSClient({ endpoint: stack.endpoints.sqs, region: LOCAL_REGION, credentials });
  let total = 0;
  for (const queueUrl of queueUrls) {
    const { Attributes = {} } = await client.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
      }),
    );
    total += Object.values(Attributes).reduce((sum, count) => sum + Number(count ?? 0), 0);
  }
  client.destroy();
  return total;
}

/** Waits until the queues hold nothing (a consumer deletes a message once its work is stored). */
async function drained(stack: LocalStack, queueUrls: readonly string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await backlog(stack, queueUrls)) > 0) {
    if (Date.now() > deadline) throw new Error(`queues still held messages after ${timeoutMs} ms: ${queueUrls.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Waits until background work (routing, notices, event sinks) is done: the queues are drained and
 * the table has stopped changing. The queue check is the condition; the quiet period only
 * catches writes that do not go through the queue, and a slow machine only lengthens the wait.
 */
export async function settled(stack: LocalStack, quietMs = 300, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let previous = '';
  while (Date.now() < deadline) {
    const waiting = await backlog(stack, [stack.routingQueueUrl, stack.eventsQueueUrl, stack.webhookQueues.queueUrl]);
    const current = JSON.stringify(await storedItems(stack));
    if (waiting === 0 && current === previous) return;
    previous = waiting === 0 ? current : '';
    await new Promise((resolve) => setTimeout(resolve, quietMs));
  }
  throw new Error(`the queues or the table kept changing for ${timeoutMs} ms`);
}
