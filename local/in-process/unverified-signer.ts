import { HttpRequest } from '@smithy/core/transport';
import type { HttpRequest as SignableRequest, RequestSigner, RequestSigningArguments } from '@smithy/types';

/** `YYYYMMDDTHHMMSSZ`, SigV4's date format. */
function amzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

const NO_SIGNATURE = '0'.repeat(64);

/**
 * A SigV4 signer for endpoints that never verify signatures: the local stack's in-memory
 * emulators (dynalite, the SQS, Secrets Manager, SES and management API endpoints). It writes a
 * well-formed `Authorization` header (the client's access key, the request's date, region and
 * service scope, `SignedHeaders=host;x-amz-date`) and the `x-amz-date` header, with a
 * placeholder signature instead of the HMAC chain. The SDK takes it through its documented
 * `signer` client option (AwsSdkSigV4AuthInputConfig): its auth middleware, retries and the
 * handlers' code run unchanged; only the cost of signing goes (about a fifth of an in-memory
 * DynamoDB call, plus a new SignatureV4 per request). Never for AWS, nor for an endpoint that
 * checks signatures (s3rver does: the S3 client keeps the SDK's signer).
 */
export class UnverifiedSigner implements RequestSigner {
  constructor(private readonly accessKeyId: () => string) {}

  async sign(requestToSign: SignableRequest, options: RequestSigningArguments = {}): Promise<SignableRequest> {
    const request = HttpRequest.clone(requestToSign);
    const date = amzDate(options.signingDate instanceof Date ? options.signingDate : new Date());
    const scope = `${date.slice(0, 8)}/${options.signingRegion ?? 'us-east-1'}/${options.signingService ?? 'unknown'}/aws4_request`;
    request.headers['x-amz-date'] = date;
    request.headers.authorization = `AWS4-HMAC-SHA256 Credential=${this.accessKeyId()}/${scope}, SignedHeaders=host;x-amz-date, Signature=${NO_SIGNATURE}`;
    return request;
  }
}
