import { es256Keys } from '../adapters/jwt/es256-keys';
import { SecretsManagerKeyRotationStore } from '../adapters/secrets/key-rotation-store';
import type { KeyRotationDeps } from '../services/signing-key-rotation';
import type { WiringContext } from './context';
import { secretsManagerClient } from './secrets';

/** What the rotation function needs to rotate the signing-key secret `secretId`. */
export const keyRotationDeps = (ctx: WiringContext, secretId: string): KeyRotationDeps => ({
  store: new SecretsManagerKeyRotationStore(secretsManagerClient(ctx), secretId, ctx.config.VERIFICATION_KEYS_SECRET_ID),
  crypto: es256Keys,
  clock: ctx.clock,
  policy: ctx.policy,
  log: ctx.log,
});
