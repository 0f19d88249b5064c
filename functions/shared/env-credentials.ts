/**
 * `@aws-sdk/credential-provider-node` as Lambda bundles see it (esbuild aliases it here:
 * lib/constructs/parley-function.ts). Every SDK client's runtime config takes its default
 * credentials from that package's `defaultProvider`, the whole Node chain: environment, SSO, INI
 * files, credential processes, web identity, the container and instance metadata services, with
 * the nested STS/SSO/sign-in clients those need (~100 KB minified). Lambda hands a function its
 * role's credentials in environment variables, the chain's first link, so a bundle keeps that link
 * only. The local stack, the tests and the scripts run the modules unbundled and keep the whole chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

type FromEnvInit = Parameters<typeof fromEnv>[0];

/** The credentials Lambda put in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN). */
export const defaultProvider = (init: FromEnvInit = {}): AwsCredentialIdentityProvider => fromEnv(init);

/** As the package exports them (the SDK's memoization asks whether credentials will need refreshing). */
export const credentialsWillNeedRefresh = (credentials: AwsCredentialIdentity | undefined): boolean =>
  credentials?.expiration !== undefined;

export const credentialsTreatedAsExpired = (credentials: AwsCredentialIdentity | undefined): boolean =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;
