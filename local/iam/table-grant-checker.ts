import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { isTableRequestAllowed, type TableAccess, type TableRequest } from '../../functions/table-access';
import { LocalAccessDenied } from './access-denied';
import { tableRequestsOf, wireRequestOf } from './table-request';

/** A table request outside the entry point's grants. */
export class LocalAccessDeniedError extends LocalAccessDenied {
  constructor(
    entryName: string,
    readonly request: TableRequest,
  ) {
    super(
      entryName,
      `dynamodb:${request.action} on resource: table/parley${request.index === undefined ? '' : `/index/${request.index}`} ` +
        `(leading keys ${JSON.stringify(request.partitionKeys)}) because no identity-based policy allows it`,
    );
  }
}

export interface TableGrantCheckerOptions {
  /** The entry point whose invocation is running; undefined outside invocations (not checked). */
  readonly currentEntry: () => string | undefined;
  /** That entry point's declared access (routes.ts). */
  readonly accessOf: (entryName: string) => TableAccess;
  /** Told of every refusal, e.g. to print it: a missing grant shows up as a failing handler. */
  readonly onDenied?: (error: LocalAccessDeniedError) => void;
}

/**
 * Makes a DynamoDB client behave as if it ran under each entry point's IAM role: every
 * request made during an invocation is checked against that entry point's declared table
 * access and refused, before it is sent, when IAM would refuse it. It sits in the build
 * step, where the request is already the JSON DynamoDB receives (so the document client's
 * conveniences are seen as AWS sees them).
 */
export function enforceTableGrants(client: DynamoDBClient, options: TableGrantCheckerOptions): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const entryName = options.currentEntry();
      const wire = entryName === undefined ? undefined : wireRequestOf(args.request);
      if (entryName !== undefined && wire !== undefined) {
        const { operation, body } = wire;
        const access = options.accessOf(entryName);
        for (const tableRequest of tableRequestsOf(operation, body)) {
          if (!isTableRequestAllowed(access, tableRequest)) {
            const error = new LocalAccessDeniedError(entryName, tableRequest);
            options.onDenied?.(error);
            throw error;
          }
        }
      }
      return next(args);
    },
    { step: 'build', name: 'parleyLocalTableGrants', priority: 'low' },
  );
}
