import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import WebSocket from 'ws';
import { type CanaryCredentials, type CanarySocket, runRoundTrip } from './round-trip';

/**
 * The CloudWatch Synthetics entry point (syn-nodejs runtime, lib/constructs/canary.ts): reads
 * the canary agent's credentials from Secrets Manager and runs the round trip; a thrown error
 * fails the run, which the canary's SuccessPercent alarm reports.
 */
const secrets = new SecretsManagerClient({});

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}

async function canaryAgent(secretId: string): Promise<CanaryCredentials> {
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
  const parsed = JSON.parse(SecretString ?? '{}') as Partial<CanaryCredentials>;
  if (typeof parsed.email !== 'string' || typeof parsed.password !== 'string') {
    throw new Error(`secret ${secretId} must hold {"email", "password"} of the canary agent (docs/operations.md)`);
  }
  return { email: parsed.email, password: parsed.password };
}

export async function handler(): Promise<{ conversationId: string; roundTripMs: number }> {
  const result = await runRoundTrip({
    httpUrl: required('PARLEY_HTTP_URL'),
    wsUrl: required('PARLEY_WS_URL'),
    skill: required('PARLEY_CANARY_SKILL'),
    agent: await canaryAgent(required('PARLEY_CANARY_SECRET_ARN')),
    openSocket: (url) => new WebSocket(url) as unknown as CanarySocket,
  });
  console.info(`Parley canary: round trip ${result.roundTripMs} ms in conversation ${result.conversationId}`);
  return result;
}
