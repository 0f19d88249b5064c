import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { hostWithPort } from '../gateway/listen';

export interface LocalS3 {
  readonly endpoint: string;
  close(): Promise<void>;
}

/**
 * s3rver as the S3 endpoint (path-style), its files in a temporary folder removed on close:
 * inbound mail, which the handler reads once, and attachments (not kept across restarts).
 * s3rver does not check a presigned POST's policy (size range, type, expiry): the `message`
 * handler's own checks (services/attachments.ts) are what hold locally.
 */
/** A bucket browsers POST to from any origin, as the attachments bucket's CORS rule allows on AWS. */
const BROWSER_UPLOAD_CORS = `<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>POST</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <MaxAgeSeconds>3600</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;

export async function startLocalS3(options: {
  host?: string;
  buckets: readonly string[];
  /** Buckets that take browser uploads (presigned POSTs from the web pages' origin). */
  browserUploadBuckets?: readonly string[];
  accessKeyIds: readonly string[];
}): Promise<LocalS3> {
  const host = options.host ?? '127.0.0.1';
  // s3rver knows one key pair (S3RVER); the stack's clients sign with their own local keys.
  const { DUMMY_ACCOUNT } = createRequire(import.meta.url)('s3rver/lib/models/account.js') as {
    DUMMY_ACCOUNT: { createKeyPair(accessKeyId: string, secretAccessKey: string): void };
  };
  for (const accessKeyId of options.accessKeyIds) DUMMY_ACCOUNT.createKeyPair(accessKeyId, accessKeyId);
  const directory = await mkdtemp(join(tmpdir(), 'parley-s3-'));
  const server = new S3rver({
    address: host,
    port: 0,
    silent: true,
    directory,
    vhostBuckets: false,
    // Any local secret: the point is the bucket and its objects, not the signature.
    allowMismatchedSignatures: true,
    configureBuckets: [
      ...options.buckets.map((name) => ({ name })),
      ...(options.browserUploadBuckets ?? []).map((name) => ({ name, configs: [BROWSER_UPLOAD_CORS] })),
    ],
  });
  const address = await server.run();
  return {
    endpoint: `http://${hostWithPort(host, address.port)}`,
    async close() {
      // The SDK keeps connections alive: drop them, or close() waits for their timeout.
      server.httpServer?.closeAllConnections();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
