import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import * as z from '../../shared/zod';
import { DependencyError } from '../../ports/errors';

export class SecretsError extends DependencyError {
  override readonly name = 'SecretsError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('secrets-manager', message, options);
  }
}

const upstashSecretSchema = z.object({ url: z.string().check(z.url()), token: z.string().check(z.minLength(1)) });
export type UpstashCredentials = z.infer<typeof upstashSecretSchema>;

/** Secrets through Powertools Parameters, cached for `maxAgeSeconds` across invocations. */
export class SecretSource {
  private readonly provider: SecretsProvider;

  constructor(
    client: SecretsManagerClient,
    private readonly maxAgeSeconds: number,
  ) {
    this.provider = new SecretsProvider({ awsSdkV3Client: client });
  }

  /** The secret's current string; `fresh` bypasses (and refills) the cache. */
  async read(secretId: string, options: { fresh?: boolean } = {}): Promise<string> {
    let value: unknown;
    try {
      value = await this.provider.get(secretId, { maxAge: this.maxAgeSeconds, ...(options.fresh ? { forceFetch: true } : {}) });
    } catch (error) {
      throw new SecretsError(`Could not read secret ${secretId}`, { cause: error });
    }
    if (typeof value !== 'string' || value.length === 0) throw new SecretsError(`Secret ${secretId} has no string value`);
    return value;
  }

  /** An HS256 key (the identified-customer key the embedding site shares). */
  async hmacKey(secretId: string): Promise<Uint8Array> {
    const value = await this.read(secretId);
    if (value.length < 32) throw new SecretsError(`Secret ${secretId} is too short to be an HS256 key`);
    return new TextEncoder().encode(value);
  }

  async upstash(secretId: string): Promise<UpstashCredentials> {
    const raw = await this.read(secretId);
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      json = undefined;
    }
    const parsed = upstashSecretSchema.safeParse(json);
    if (!parsed.success) throw new SecretsError(`Secret ${secretId} must be JSON {"url": "...", "token": "..."}`);
    return parsed.data;
  }
}
