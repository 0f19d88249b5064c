import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DependencyError } from '../../ports/errors';
import type { InboundMailSource } from '../../ports/inbound-mail';

export class InboundMailBucketError extends DependencyError {
  override readonly name = 'InboundMailBucketError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('s3', message, options);
  }
}

/** The bucket SES receiving writes each inbound message to (one object per message). */
export class S3InboundMailSource implements InboundMailSource {
  constructor(private readonly client: S3Client) {}

  async read(bucket: string, key: string): Promise<Buffer | undefined> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!object.Body) return undefined;
      return Buffer.from(await object.Body.transformToByteArray());
    } catch (error) {
      if (error instanceof Error && (error.name === 'NoSuchKey' || error.name === 'NotFound')) return undefined;
      throw new InboundMailBucketError(`S3 GetObject ${bucket}/${key} failed`, { cause: error });
    }
  }
}
