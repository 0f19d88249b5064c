import { HttpRequest } from '@smithy/core/transport';
import type { HttpRequest as SignableRequest, RequestSigner, RequestSigningArguments } from '@smithy/types';

let lastSecond = Number.NaN;
let lastText = '';

/** `YYYYMMDDTHHMMSSZ`, SigV4's date format (formatted once per second). */
export function amzDate(date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastText = date
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
  }
  return lastText;
}

const NO_SIGNATURE = '0'.repeat(64);

/**
 * A SigV4 signer for endpoints that never verify signatures: the local stack's in-memory
 * emulators (dynalite, the SQS, Secrets Manager, SES and management API endpoints). It writes a
 * well-formed `Authorization` header (the client's access key, the request's date and region,
 * the service when the SDK names it, else `local`; `SignedHeaders=host;x-amz-date`) and the `x-amz-date` header, with a
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
    const scope = `${date.slice(0, 8)}/${options.signingRegion ?? 'us-east-1'}/${options.signingService ?? 'local'}/aws4_request`;
    request.headers['x-amz-date'] = date;
    request.headers.authorization = `AWS4-HMAC-SHA256 Credential=${this.accessKeyId()}/${scope}, SignedHeaders=host;x-amz-date, Signature=${NO_SIGNATURE}`;
    return request;
  }
}
