import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { INDEXES } from '../../functions/adapters/dynamodb/table-schema';
import type { TableAccess, TableGrant } from '../../functions/table-access';

/** The ARN a grant applies to: the table, or one index of it (never `index/*`). */
function resourceOf(table: ITable, grant: TableGrant): string {
  return grant.index === undefined ? table.tableArn : `${table.tableArn}/index/${INDEXES[grant.index].indexName}`;
}

/**
 * One IAM statement per grant: its actions on the table or the index, allowed only when
 * every partition-key value the request touches matches the grant's patterns
 * (`ForAllValues:StringLike` on `dynamodb:LeadingKeys`; for an index query that is the
 * index's partition key). Never Scan, which has no leading keys to check.
 */
export function tableStatements(table: ITable, access: TableAccess): PolicyStatement[] {
  return access.map(
    (grant) =>
      new PolicyStatement({
        actions: grant.actions.map((action) => `dynamodb:${action}`),
        resources: [resourceOf(table, grant)],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...grant.keys] } },
      }),
  );
}

export function grantTableAccess(grantee: IGrantable, table: ITable, access: TableAccess): void {
  for (const statement of tableStatements(table, access)) grantee.grantPrincipal.addToPrincipalPolicy(statement);
}
