import { S3Client } from '@aws-sdk/client-s3';
import { magicBytesDetector } from '../adapters/mime/file-type-detector';
import { S3AttachmentStore } from '../adapters/s3/attachment-bucket';
import { S3InboundMailSource } from '../adapters/s3/inbound-mail-bucket';
import { captureClient } from '../shared/tracing';
import { endpoint, signedTransport, type PortFactories, type WiringContext } from './context';
import type { GroupPortName } from './groups';

/** Reads inbound mail and holds attachments (path-style locally: the local S3 endpoint has no bucket host names). */
export const s3Client = (ctx: WiringContext): S3Client =>
  ctx.memo('s3', () =>
    captureClient(
      new S3Client({
        region: ctx.config.AWS_REGION,
        ...signedTransport(ctx),
        ...endpoint(ctx.config.AWS_ENDPOINT_URL_S3),
        forcePathStyle: ctx.config.AWS_ENDPOINT_URL_S3 !== undefined,
      }),
    ),
  );

export const s3Ports: PortFactories<GroupPortName<'s3'>> = {
  inboundMail: (ctx) => new S3InboundMailSource(s3Client(ctx)),
  /** Absent without ATTACHMENTS_BUCKET. */
  attachments: (ctx) =>
    ctx.config.ATTACHMENTS_BUCKET
      ? {
          store: new S3AttachmentStore(s3Client(ctx), ctx.config.ATTACHMENTS_BUCKET),
          detector: magicBytesDetector,
          maxBytes: ctx.config.ATTACHMENT_MAX_BYTES,
          uploadSeconds: ctx.config.ATTACHMENT_UPLOAD_SECONDS,
          downloadSeconds: ctx.config.ATTACHMENT_DOWNLOAD_SECONDS,
        }
      : undefined,
};
