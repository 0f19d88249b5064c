import { ArnFormat, Stack } from 'aws-cdk-lib';
import { type ILogGroup, LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/**
 * The log group the functions of one concern share (the HTTP API's, the WebSocket API's,
 * the router's...): one log group per function would cost a CloudFormation resource each,
 * and the stack is capped at 500. Lambda names each stream in a custom log group
 * `YYYY/MM/DD/<function name>[<version>]<environment id>`, so every line stays attributable.
 */
export function functionLogGroup(scope: Construct, id = 'FunctionLogs'): LogGroup {
  return new LogGroup(scope, id, { retention: RetentionDays.ONE_MONTH });
}

/**
 * The streams Lambda writes for one function in a shared log group: the function may create
 * and write these and no other group's or function's. IAM resource wildcards are `*` and `?`
 * only (`[` is literal), and function names hold neither `/` nor `[`, so a stream pattern ending in
 * `/<name>[*` matches this function's streams and never another's (`message` never reaches
 * `message-edit`).
 */
export function ownLogStreamsArn(scope: Construct, logGroup: ILogGroup, functionName: string): string {
  return Stack.of(scope).formatArn({
    service: 'logs',
    resource: 'log-group',
    resourceName: `${logGroup.logGroupName}:log-stream:*/${functionName}[*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}
