import { describe, expect, it } from 'vitest';
import { ATTACHMENTS_ACCESS_LOG_PREFIX } from '../../lib/constructs/attachments';
import { actionsOf, logicalIdOf, resourcesGranted, statementsOfRole, synthParley } from './synth-parley';

/** The attachments bucket (issue 11, docs/attachments.md) and who may touch it. */
const { stack, template } = synthParley();
const bucketId = logicalIdOf(stack.attachments.bucket);
interface BucketJson {
  Properties: {
    PublicAccessBlockConfiguration: unknown;
    BucketEncryption: unknown;
    OwnershipControls: unknown;
    CorsConfiguration: { CorsRules: unknown[] };
    LifecycleConfiguration: { Rules: unknown[] };
    LoggingConfiguration: unknown;
  };
  DeletionPolicy?: string;
}
const bucket = template.toJSON().Resources[bucketId] as BucketJson;
const objects = (prefix: string) => JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, `/${prefix}*`]] });
const bucketArn = JSON.stringify({ 'Fn::GetAtt': [bucketId, 'Arn'] });

function s3Grants(name: string): Record<string, string[]> {
  const fn = stack.functions.find((candidate) => candidate.name === name);
  if (!fn) throw new Error(`No function ${name}`);
  const statements = statementsOfRole(template, logicalIdOf(fn.role));
  const actions = [...new Set(actionsOf(statements).filter((action) => action.startsWith('s3:')))].sort();
  return Object.fromEntries(actions.map((action) => [action, resourcesGranted(statements, action).sort()]));
}

describe('the attachments bucket', () => {
  it('is private, encrypted, owner-enforced and retained', () => {
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(bucket.Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(bucket.DeletionPolicy).toBe('Retain');
  });

  it('refuses requests without TLS', () => {
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy')).find(
      (candidate) => (candidate.Properties as { Bucket: { Ref: string } }).Bucket.Ref === bucketId,
    );
    expect(JSON.stringify(policy)).toContain('"aws:SecureTransport":"false"');
  });

  it('takes browser POSTs only (presigned uploads), from the configured origins', () => {
    expect(bucket.Properties.CorsConfiguration.CorsRules).toEqual([
      expect.objectContaining({ AllowedMethods: ['POST'], AllowedOrigins: ['*'], AllowedHeaders: ['*'] }),
    ]);
  });

  it('aborts incomplete uploads and expires unsent ones and export archives after a day; sent ones are kept by default', () => {
    const rules = bucket.Properties.LifecycleConfiguration.Rules;
    expect(rules).toEqual([
      expect.objectContaining({ Id: 'AbortIncompleteUploads', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
      expect.objectContaining({ Id: 'ExpireUnsentUploads', Prefix: 'uploads/', ExpirationInDays: 1 }),
      expect.objectContaining({ Id: 'ExpireExports', Prefix: 'exports/', ExpirationInDays: 1 }),
    ]);
  });

  it('expires sent attachments after attachmentRetentionDays when set', () => {
    const { stack: retained, template: retainedTemplate } = synthParley({ context: { attachmentRetentionDays: 400 } });
    const props = retainedTemplate.toJSON().Resources[logicalIdOf(retained.attachments.bucket)].Properties;
    expect(props.LifecycleConfiguration.Rules).toContainEqual(
      expect.objectContaining({ Id: 'ExpireSentAttachments', Prefix: 'conversations/', ExpirationInDays: 400 }),
    );
  });

  it('expires sent attachments with the messages (retentionDays) unless attachmentRetentionDays is set; every function is told RETENTION_DAYS', () => {
    const { stack: retained, template: retainedTemplate } = synthParley({ context: { retentionDays: 90 } });
    const resources = retainedTemplate.toJSON().Resources;
    expect(resources[logicalIdOf(retained.attachments.bucket)].Properties.LifecycleConfiguration.Rules).toContainEqual(
      expect.objectContaining({ Id: 'ExpireSentAttachments', Prefix: 'conversations/', ExpirationInDays: 90 }),
    );
    for (const fn of retained.functions) {
      expect(resources[logicalIdOf(fn.lambda)].Properties.Environment.Variables.RETENTION_DAYS, fn.name).toBe('90');
    }
    const { stack: both, template: bothTemplate } = synthParley({ context: { retentionDays: 90, attachmentRetentionDays: 30 } });
    expect(bothTemplate.toJSON().Resources[logicalIdOf(both.attachments.bucket)].Properties.LifecycleConfiguration.Rules).toContainEqual(
      expect.objectContaining({ Id: 'ExpireSentAttachments', ExpirationInDays: 30 }),
    );
    // Without it, nothing expires and no function is told a retention.
    const fn = stack.functions.find((candidate) => candidate.name === 'customer-data')!;
    expect(template.toJSON().Resources[logicalIdOf(fn.lambda)].Properties.Environment.Variables.RETENTION_DAYS).toBeUndefined();
  });

  it('logs server access to the stack access-log bucket', () => {
    expect(bucket.Properties.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: logicalIdOf(stack.web.logBucket) },
      LogFilePrefix: ATTACHMENTS_ACCESS_LOG_PREFIX,
    });
  });

  it('is named to every function (ATTACHMENTS_BUCKET)', () => {
    const fn = stack.functions.find((candidate) => candidate.name === 'attachments')!;
    const props = template.toJSON().Resources[logicalIdOf(fn.lambda)].Properties;
    expect(props.Environment.Variables.ATTACHMENTS_BUCKET).toEqual({ Ref: bucketId });
  });
});

describe('least privilege on the attachments bucket', () => {
  it('the attachments function signs uploads under uploads/ and downloads under conversations/', () => {
    expect(s3Grants('attachments')).toEqual({
      's3:GetObject': [objects('conversations/')],
      's3:ListBucket': [bucketArn],
      's3:PutObject': [objects('uploads/')],
    });
  });

  it('the message handler reads and removes uploads and writes only sent attachments', () => {
    expect(s3Grants('message')).toEqual({
      's3:DeleteObject': [objects('uploads/')],
      's3:GetObject': [objects('conversations/'), objects('uploads/')].sort(),
      's3:ListBucket': [bucketArn],
      's3:PutObject': [objects('conversations/')],
    });
  });

  it('the customer-data function lists, reads and deletes sent attachments and writes and reads export archives', () => {
    expect(s3Grants('customer-data')).toEqual({
      's3:DeleteObject': [objects('conversations/')],
      's3:GetObject': [objects('conversations/'), objects('exports/')].sort(),
      's3:ListBucket': [bucketArn],
      's3:PutObject': [objects('exports/')],
    });
  });

  it('no other function touches the bucket', () => {
    const others = stack.functions.filter((fn) => !['attachments', 'message', 'customer-data'].includes(fn.name));
    for (const fn of others) expect(s3Grants(fn.name), fn.name).toEqual({});
  });
});
