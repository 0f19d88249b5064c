import { Agent } from 'node:http';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STEP_MS } from '../../support/budget';
import { waitFor } from '../../support/wait';

/** An SDK client aimed at a local endpoint with dummy credentials (never real AWS). */
export function localSqsClient(endpoint: string): SQSClient {
  return new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    // No keep-alive: a socket left idle past the server's keep-alive timeout (5 s) and reused
    // just as the server closes it fails with ECONNRESET, and a slow machine makes that likely.
    requestHandler: { httpAgent: new Agent({ keepAlive: false }) },
  });
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = STEP_MS, stepMs = 25): Promise<void> {
  await waitFor(check, { timeoutMs, intervalMs: stepMs });
}
