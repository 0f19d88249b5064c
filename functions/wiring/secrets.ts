import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretSource } from '../adapters/secrets/secret-source';
import { captureClient } from '../shared/tracing';
import { endpoint, transport, type WiringContext } from './context';

/** Secrets Manager, for the groups that read secrets (tokens, redis) and the key rotation. */
export const secretsManagerClient = (ctx: WiringContext): SecretsManagerClient =>
  ctx.memo('secretsManager', () =>
    captureClient(
      new SecretsManagerClient({
        region: ctx.config.AWS_REGION,
        ...transport(ctx),
        ...endpoint(ctx.config.AWS_ENDPOINT_URL_SECRETS_MANAGER),
      }),
    ),
  );

/** Secrets are fetched on first use and cached per wiring. */
export const secretSource = (ctx: WiringContext): SecretSource =>
  ctx.memo('secrets', () => new SecretSource(secretsManagerClient(ctx), ctx.config.SECRETS_CACHE_SECONDS));
