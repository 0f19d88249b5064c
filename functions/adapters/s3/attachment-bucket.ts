import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { AttachmentStore, DownloadOptions, StoredObject, UploadGrant, UploadPolicy } from '../../ports/attachment-store';
import { DependencyError } from '../../ports/errors';

export class AttachmentBucketError extends DependencyError {
  override readonly name = 'AttachmentBucketError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('s3', message, options);
  }
}

const isMissing = (error: unknown) =>
  error instanceof Error &&
  (error.name === 'NotFound' ||
    error.name === 'NoSuchKey' ||
    (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404);

/** The attachments bucket through the S3 SDK (path-style locally, against s3rver). */
export class S3AttachmentStore implements AttachmentStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  private async call<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw new AttachmentBucketError(`S3 ${what} failed`, { cause: error });
    }
  }

  grantUpload(policy: UploadPolicy): Promise<UploadGrant> {
    const metadata = Object.fromEntries(Object.entries(policy.metadata).map(([key, value]) => [`x-amz-meta-${key}`, value]));
    return this.call('presigned POST', () =>
      createPresignedPost(this.client, {
        Bucket: this.bucket,
        Key: policy.key,
        // Every field is pinned: the exact key, type, size and metadata, nothing else accepted.
        Conditions: [
          ['content-length-range', policy.size, policy.size],
          ['eq', '$Content-Type', policy.contentType],
          ...Object.entries(metadata).map(([key, value]) => ['eq', `$${key}`, value] as ['eq', string, string]),
        ],
        Fields: { 'Content-Type': policy.contentType, ...metadata },
        Expires: policy.expiresSeconds,
      }),
    );
  }

  async head(key: string): Promise<StoredObject | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: head.ContentLength ?? 0, contentType: head.ContentType, metadata: head.Metadata ?? {} };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw new AttachmentBucketError(`S3 HeadObject ${key} failed`, { cause: error });
    }
  }

  readStart(key: string, bytes: number): Promise<Uint8Array> {
    return this.call(`GetObject ${key}`, async () => {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=0-${bytes - 1}` }));
      const body = object.Body ? await object.Body.transformToByteArray() : new Uint8Array();
      // An endpoint that ignores Range still gives the start.
      return body.subarray(0, bytes);
    });
  }

  async move(from: string, to: string): Promise<void> {
    await this.call(`CopyObject ${from}`, () =>
      this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: to,
          CopySource: `${this.bucket}/${from}`,
          MetadataDirective: 'COPY',
        }),
      ),
    );
    await this.remove(from);
  }

  async remove(key: string): Promise<void> {
    await this.call(`DeleteObject ${key}`, () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
  }

  downloadUrl(key: string, options: DownloadOptions): Promise<string> {
    return this.call('presigned GET', () =>
      getSignedUrl(
        this.client,
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          ResponseContentType: options.contentType,
          ResponseContentDisposition: options.contentDisposition,
          ResponseCacheControl: 'private, max-age=300',
        }),
        { expiresIn: options.expiresSeconds },
      ),
    );
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.call(`ListObjectsV2 ${prefix}`, () =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) })),
      );
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  async read(key: string): Promise<{ bytes: Uint8Array; contentType: string | undefined } | undefined> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const bytes = object.Body ? await object.Body.transformToByteArray() : new Uint8Array();
      return { bytes, contentType: object.ContentType };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw new AttachmentBucketError(`S3 GetObject ${key} failed`, { cause: error });
    }
  }

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    await this.call(`PutObject ${key}`, () =>
      this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes, ContentType: contentType })),
    );
  }
}
