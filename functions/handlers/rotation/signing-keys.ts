import type { Context } from 'aws-lambda';
import * as z from '../../shared/zod';
import { ROTATION_STEPS, runRotationStep } from '../../services/signing-key-rotation';
import { flushMetrics, inInvocation, logger } from '../../shared/observability';
import { recordServerFault } from '../shared/server-fault';
import { getWiring } from '../../wiring';

/** What Secrets Manager sends a rotation function (RotationToken is only for cross-account rotation). */
const rotationEvent = z.object({
  SecretId: z.string().check(z.minLength(1)),
  ClientRequestToken: z.string().check(z.minLength(1)),
  Step: z.enum(ROTATION_STEPS),
  RotationToken: z.optional(z.string()),
});

/**
 * Secrets Manager's rotation of the signing-key secret (every 30 days, and on demand with
 * `aws secretsmanager rotate-secret`): called once per step, each idempotent
 * (services/signing-key-rotation.ts). A failure throws, so Secrets Manager retries the step.
 */
export const handler = (event: unknown, context?: Context): Promise<void> => inInvocation(context, () => rotate(event));

async function rotate(event: unknown): Promise<void> {
  const parsed = rotationEvent.safeParse(event);
  if (!parsed.success) throw new Error('Not a Secrets Manager rotation event (SecretId, ClientRequestToken, Step)');
  const { SecretId, ClientRequestToken, Step } = parsed.data;
  logger.appendKeys({ rotationStep: Step, versionId: ClientRequestToken });
  try {
    await runRotationStep(getWiring().keyRotation(SecretId), Step, ClientRequestToken);
    logger.info('Rotation step done');
  } catch (error) {
    recordServerFault('rotation', error, 'Rotation step failed');
    throw error;
  } finally {
    flushMetrics();
  }
}
