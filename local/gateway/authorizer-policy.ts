import type { PolicyDocument } from 'aws-lambda';

/** IAM string matching: `*` spans any run of characters, `?` exactly one; case-sensitive. */
function iamPatternMatches(pattern: string, value: string): boolean {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${escaped}$`).test(value);
}

/** Actions are case-insensitive in IAM; resources are not. */
function actionMatches(pattern: string, action: string): boolean {
  return iamPatternMatches(pattern.toLowerCase(), action.toLowerCase());
}

const asList = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : typeof value === 'string' ? [value] : [];

function statementApplies(statement: Record<string, unknown>, action: string, resource: string): boolean {
  const actionHit =
    'Action' in statement
      ? asList(statement.Action).some((pattern) => actionMatches(pattern, action))
      : 'NotAction' in statement && !asList(statement.NotAction).some((pattern) => actionMatches(pattern, action));
  const resourceHit =
    'Resource' in statement
      ? asList(statement.Resource).some((pattern) => iamPatternMatches(pattern, resource))
      : 'NotResource' in statement && !asList(statement.NotResource).some((pattern) => iamPatternMatches(pattern, resource));
  return actionHit && resourceHit;
}

/**
 * Evaluates an authorizer's policy the way API Gateway does: an explicit Deny wins, otherwise
 * some Allow must cover the action on the resource, otherwise the default is deny.
 */
export function policyAllows(policy: PolicyDocument, action: string, resource: string): boolean {
  const statements = (Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement]) as unknown[];
  let allowed = false;
  for (const candidate of statements) {
    if (typeof candidate !== 'object' || candidate === null) continue;
    const statement = candidate as Record<string, unknown>;
    if (!statementApplies(statement, action, resource)) continue;
    if (statement.Effect === 'Deny') return false;
    if (statement.Effect === 'Allow') allowed = true;
  }
  return allowed;
}
