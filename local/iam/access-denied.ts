/**
 * What IAM answers a request no statement allows, in the shape the SDK gives an
 * AccessDeniedException: the local stack's grant checkers (table-grant-checker.ts,
 * queue-grant-checker.ts) refuse with it, as each function's role would on AWS.
 */
export class LocalAccessDenied extends Error {
  override readonly name = 'AccessDeniedException';
  readonly $fault = 'client';
  readonly $metadata = { httpStatusCode: 400 };
  constructor(
    readonly entryName: string,
    /** What was refused on what, and why: the end of IAM's sentence. */
    refusal: string,
  ) {
    super(`User: arn:aws:sts::000000000000:assumed-role/parley-${entryName}/local is not authorized to perform: ${refusal}`);
  }
}
