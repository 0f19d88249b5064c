import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { STORED_PREFIX, UPLOAD_PREFIX } from '../../functions/domain/attachment';
import { EXPORT_PREFIX } from '../../functions/domain/customer-data';

export interface AttachmentsProps {
  /** Web origins the browser POSTs uploads from (the HTTP API's CORS origins). */
  readonly corsOrigins: readonly string[];
  /** Days a sent attachment is kept; absent: as long as its messages (docs/attachments.md). */
  readonly retentionDays?: number;
}

/** Where server access logs go, under this prefix, once the stack's access-log bucket exists. */
export const ATTACHMENTS_ACCESS_LOG_PREFIX = 'attachments-bucket/';

/**
 * The private attachments bucket (issue 11, docs/attachments.md): no public access, S3-managed
 * encryption, TLS only, objects owned by the bucket owner. Browsers upload with presigned POSTs
 * (hence the CORS rule) and download with presigned GETs; only Parley's functions sign them.
 */
export class AttachmentsConstruct extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: AttachmentsProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      cors: [
        {
          allowedMethods: [s3.HttpMethods.POST],
          allowedOrigins: [...props.corsOrigins],
          allowedHeaders: ['*'],
          maxAge: 3600,
        },
      ],
      lifecycleRules: [
        { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        // A grant nobody sent a message with: gone after a day (a sent one moved to conversations/).
        { id: 'ExpireUnsentUploads', prefix: UPLOAD_PREFIX, expiration: Duration.days(1) },
        // A customer's export archive (docs/data-rights.md): fetched on a short-lived URL, gone after a day.
        { id: 'ExpireExports', prefix: EXPORT_PREFIX, expiration: Duration.days(1) },
        ...(props.retentionDays === undefined
          ? []
          : [{ id: 'ExpireSentAttachments', prefix: STORED_PREFIX, expiration: Duration.days(props.retentionDays) }]),
      ],
    });
  }

  /**
   * Server access logs into the stack's access-log bucket (created later, with the web pages):
   * set on the bucket's CloudFormation resource, with the log bucket's policy letting the S3
   * logging service write under the prefix, as `serverAccessLogsBucket` would.
   */
  logTo(logBucket: s3.IBucket): void {
    const cfn = this.bucket.node.defaultChild as s3.CfnBucket;
    cfn.loggingConfiguration = { destinationBucketName: logBucket.bucketName, logFilePrefix: ATTACHMENTS_ACCESS_LOG_PREFIX };
    logBucket.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('logging.s3.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [logBucket.arnForObjects(`${ATTACHMENTS_ACCESS_LOG_PREFIX}*`)],
        conditions: { ArnLike: { 'aws:SourceArn': this.bucket.bucketArn } },
      }),
    );
  }
}
