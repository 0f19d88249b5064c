import type { INDEXES } from './adapters/dynamodb/table-schema';

/**
 * Which DynamoDB requests an entry point may make: actions, on which partition keys, on the
 * table or one of its indexes. The CDK stack writes each grant as an IAM statement conditioned
 * on `dynamodb:LeadingKeys` (lib/constructs/table-grants.ts); the local stack refuses any
 * request outside it (local/iam) by evaluating the same grants here, as IAM would
 * (`StringLike` patterns, `ForAllValues`), so the two cannot drift. Scan is not an action
 * here: no entry point may Scan.
 */
export const TABLE_ACTIONS = ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'] as const;
export type TableAction = (typeof TABLE_ACTIONS)[number];

export type IndexName = keyof typeof INDEXES;

export interface TableGrant {
  readonly actions: readonly TableAction[];
  /**
   * Partition-key values allowed, in IAM `StringLike` syntax (`*` any run of characters,
   * `?` one character). For an index grant, the values of the index's partition key.
   */
  readonly keys: readonly string[];
  /** Set for a grant on a global secondary index (Query only). */
  readonly index?: IndexName;
}

/** An entry point's table access; empty when it never touches the table. */
export type TableAccess = readonly TableGrant[];

/** One DynamoDB request as IAM sees it: the action, the index (if any) and the leading keys. */
export interface TableRequest {
  /** Any DynamoDB operation name (Scan, TransactWriteItems ... are refused). */
  readonly action: string;
  readonly index?: string;
  /** The partition-key values the request touches (dynamodb:LeadingKeys). */
  readonly partitionKeys: readonly string[];
}

/** Each pattern compiled once: the local stack checks every DynamoDB request against them (the grants are a fixed list; bounded all the same). */
const keyPatterns = new Map<string, RegExp>();

/** IAM `StringLike`: case-sensitive, `*` matches any run (even empty), `?` exactly one character. */
export function keyPatternMatches(pattern: string, value: string): boolean {
  let matcher = keyPatterns.get(pattern);
  if (!matcher) {
    const source = [...pattern]
      .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('');
    matcher = new RegExp(`^${source}$`, 's');
    if (keyPatterns.size >= 1000) keyPatterns.clear();
    keyPatterns.set(pattern, matcher);
  }
  return matcher.test(value);
}

/**
 * Whether one grant allows the request, as a statement with `ForAllValues:StringLike` on
 * `dynamodb:LeadingKeys` would: the action on that resource, every leading key matching one
 * of the grant's patterns. A request without leading keys (a Scan) is refused here, though
 * IAM's ForAllValues would pass an empty set: Scan is never granted, so it never gets there.
 */
export function grantAllows(grant: TableGrant, request: TableRequest): boolean {
  if (!(grant.actions as readonly string[]).includes(request.action)) return false;
  if ((grant.index ?? undefined) !== (request.index ?? undefined)) return false;
  if (request.partitionKeys.length === 0) return false;
  return request.partitionKeys.every((key) => grant.keys.some((pattern) => keyPatternMatches(pattern, key)));
}

export function isTableRequestAllowed(access: TableAccess, request: TableRequest): boolean {
  return access.some((grant) => grantAllows(grant, request));
}

/** Grant builders, so routes.ts reads as a list of who touches what. */
export const on = (keys: readonly string[], ...actions: TableAction[]): TableGrant => ({ actions, keys });
export const queryIndex = (index: IndexName, keys: readonly string[]): TableGrant => ({ actions: ['Query'], keys, index });

/**
 * The access of a function running several entry points' code paths (an HTTP route group):
 * exactly what any of them may do, no more. Grants on the same keys (and index) are merged
 * into one with the union of their actions, which allows exactly what the two allowed (a
 * request has one action); grants on different keys stay apart, since one grant with both
 * key sets would also allow a batch request mixing them.
 */
export function unionOfAccess(accesses: readonly TableAccess[]): TableAccess {
  const merged = new Map<string, { keys: readonly string[]; index?: IndexName; actions: Set<TableAction> }>();
  for (const grant of accesses.flat()) {
    const keys = [...new Set(grant.keys)].sort();
    const id = JSON.stringify([grant.index ?? null, keys]);
    const entry = merged.get(id) ?? { keys, ...(grant.index === undefined ? {} : { index: grant.index }), actions: new Set<TableAction>() };
    for (const action of grant.actions) entry.actions.add(action);
    merged.set(id, entry);
  }
  return [...merged.values()].map(({ keys, index, actions }) => ({
    actions: TABLE_ACTIONS.filter((action) => actions.has(action)),
    keys,
    ...(index === undefined ? {} : { index }),
  }));
}
