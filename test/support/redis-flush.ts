import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { LocalStack } from '../../local/stack';

/** One command on the stack's Redis through its Upstash endpoint, as the handlers reach it. */
export async function redisCommand(stack: LocalStack, command: readonly string[]): Promise<unknown> {
  const { SecretString } = await stack.wiring().clients.secretsManager.send(new GetSecretValueCommand({ SecretId: 'parley/upstash' }));
  const { url, token } = JSON.parse(SecretString ?? '{}') as { url: string; token: string };
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(command),
  });
  const body = (await response.json()) as { result?: unknown; error?: string };
  if (!response.ok || body.error) throw new Error(`${command[0]} failed: ${response.status} ${JSON.stringify(body)}`);
  return body.result;
}

/**
 * FLUSHALL on the stack's Redis, as an Upstash eviction, reset or failover would leave it:
 * every key gone while clients stay connected.
 */
export async function flushRedis(stack: LocalStack): Promise<void> {
  const result = await redisCommand(stack, ['FLUSHALL']);
  if (result !== 'OK') throw new Error(`FLUSHALL answered ${JSON.stringify(result)}`);
}
