import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { LocalStack } from '../../local/stack';

/**
 * FLUSHALL on the stack's Redis through its Upstash endpoint, as an Upstash eviction, reset
 * or failover would leave it: every key gone while clients stay connected.
 */
export async function flushRedis(stack: LocalStack): Promise<void> {
  const { SecretString } = await stack.wiring().clients.secretsManager.send(new GetSecretValueCommand({ SecretId: 'parley/upstash' }));
  const { url, token } = JSON.parse(SecretString ?? '{}') as { url: string; token: string };
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(['FLUSHALL']),
  });
  const body = (await response.json()) as { result?: unknown; error?: string };
  if (!response.ok || body.result !== 'OK') throw new Error(`FLUSHALL failed: ${response.status} ${JSON.stringify(body)}`);
}
