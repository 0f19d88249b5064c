import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** Matches the emulated account and region used in every ARN the local gateways build. */
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT_ID = '000000000000';

/** API Gateway's own integration timeout is 29-30 s, so a local invocation gets the same budget by default. */
const DEFAULT_TIMEOUT_MS = 30_000;

function unsupportedCallbackStyle(): never {
  throw new Error('Lambda context done/fail/succeed are not supported locally; return or throw from the async handler');
}

/**
 * A Lambda `Context` for an in-process invocation: fresh request id, ARNs and log names shaped
 * like the real ones, and a remaining-time clock that starts when the context is created.
 */
export function createLambdaContext(functionName: string, timeoutMs: number = DEFAULT_TIMEOUT_MS): Context {
  const deadline = Date.now() + timeoutMs;
  const awsRequestId = randomUUID();
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${day}/[$LATEST]${awsRequestId.replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupportedCallbackStyle,
    fail: unsupportedCallbackStyle,
    succeed: unsupportedCallbackStyle,
  };
}
