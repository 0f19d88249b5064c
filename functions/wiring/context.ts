import type { HttpHandler } from '@smithy/core/protocols';
import type { RequestSigner } from '@smithy/types';
import type { Config } from '../config';
import type { KeyPolicy } from '../domain/signing-keys';
import type { Clock, IdGenerator } from '../ports/clock';
import type { Ports } from '../services/context';

/** What every port group builds from: the validated config and the parts the groups share. */
export interface WiringContext {
  readonly config: Config;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly policy: KeyPolicy;
  readonly log: Ports['log'];
  /**
   * The transport every AWS SDK client sends its requests with; absent (as on AWS), the SDK's
   * own. The local stack hands requests to its emulators in memory (local/in-process).
   */
  readonly requestHandler?: HttpHandler | undefined;
  /**
   * The SigV4 signer of the clients whose endpoints do not verify signatures; absent (as on AWS),
   * the SDK's own. The local stack's in-memory emulators take a placeholder signature
   * (local/in-process/unverified-signer.ts).
   */
  readonly signer?: RequestSigner | undefined;
  /** One value per key and wiring: the first call makes it (a client, a secret source), later calls share it. */
  memo<T>(key: string, make: () => T): T;
}

/** A port group: how to build each of its ports (called once, on the port's first use; an optional port may be undefined). */
export type PortFactories<K extends keyof Ports> = { readonly [P in K]-?: (ctx: WiringContext) => Ports[P] };

/** The SDK client options for the context's transport and signer (none on AWS). */
export const transport = (ctx: WiringContext) => ({
  ...(ctx.requestHandler ? { requestHandler: ctx.requestHandler } : {}),
  ...(ctx.signer ? { signer: ctx.signer } : {}),
});

/** The transport alone, for a client whose endpoint checks signatures (S3: s3rver does). */
export const signedTransport = (ctx: WiringContext) => (ctx.requestHandler ? { requestHandler: ctx.requestHandler } : {});

/**
 * Client options for a plain (non-Document) SDK client whose commands are always sent without
 * per-call options: the SDK resolves each command type's middleware once and reuses it
 * (`cacheMiddleware`, an SDK option safe on AWS) instead of sorting the stack on every send.
 * Middleware must then be added before the client's first send of a command type (X-Ray's
 * capture, the bench's request counter and the local IAM checker all add theirs at wiring).
 * Not for the DynamoDB client: the DocumentClient wrapping it refuses the option.
 */
export const cachedMiddleware = { cacheMiddleware: true } as const;

/** An endpoint override (the SDK's own AWS_ENDPOINT_URL_* names), absent on AWS. */
export const endpoint = (url: string | undefined) => (url ? { endpoint: url } : {});

export function once<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= make().catch((error: unknown) => {
      value = undefined; // let the next call retry a failed fetch
      throw error;
    });
    return value;
  };
}

/** The longest token lifetime accepted or issued, per role. */
export const maxTokenSeconds = (config: Config) => ({
  customer: config.MAX_TOKEN_SECONDS_CUSTOMER,
  agent: config.MAX_TOKEN_SECONDS_AGENT,
  supervisor: config.MAX_TOKEN_SECONDS_SUPERVISOR,
  admin: config.MAX_TOKEN_SECONDS_ADMIN,
});
