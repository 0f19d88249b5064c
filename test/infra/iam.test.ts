import { describe, expect, it } from 'vitest';
import { logicalIdOf, actionsOf, resourcesGranted, statementsOfRole, synthParley } from './synth-parley';
import type { ParleyFunction } from '../../lib/constructs/parley-function';

const { stack, template } = synthParley();
const tableId = logicalIdOf(stack.storage.table);
const queueId = logicalIdOf(stack.routing.queue);
const apiId = logicalIdOf(stack.realtime.webSocketApi);
const jwtSecretRef = JSON.stringify({ Ref: logicalIdOf(stack.storage.jwtSecret) });
const customerSecretRef = JSON.stringify({ Ref: logicalIdOf(stack.storage.identifiedCustomerSecret) });

const TABLE_WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
const TABLE_READS = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'];
const QUEUE_CONSUMPTION = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility'];

function functionNamed(name: string): ParleyFunction {
  const fn = stack.functions.find((candidate) => candidate.name === name);
  if (fn === undefined) throw new Error(`No function named ${name}`);
  return fn;
}

function permissionsOf(fn: ParleyFunction) {
  const statements = statementsOfRole(template, logicalIdOf(fn.role));
  const actions = new Set(actionsOf(statements));
  return {
    statements,
    actions,
    has: (action: string) => actions.has(action),
    hasAnyWithPrefix: (prefix: string) => [...actions].some((action) => action.startsWith(prefix)),
    resourcesOf: (action: string) => resourcesGranted(statements, action),
  };
}

describe("least privilege, derived from each entry point's needs", () => {
  for (const fn of stack.functions) {
    describe(fn.name, () => {
      const permissions = permissionsOf(fn);
      const { needs } = fn;

      it('uses only the services it needs, with no wildcard actions', () => {
        const allowedPrefixes = ['logs:', 'xray:', 'dynamodb:', 'sqs:', 'execute-api:', 'secretsmanager:'];
        for (const action of permissions.actions) {
          expect(
            allowedPrefixes.some((prefix) => action.startsWith(prefix)),
            action,
          ).toBe(true);
          expect(action.endsWith('*'), action).toBe(false);
        }
      });

      it('writes logs to its own log group only', () => {
        const logResources = permissions.resourcesOf('logs:PutLogEvents');
        expect(logResources).toEqual([JSON.stringify({ 'Fn::GetAtt': [logicalIdOf(fn.logGroup), 'Arn'] })]);
        expect(permissions.has('logs:CreateLogGroup')).toBe(false);
      });

      it(`table access: ${needs.table ?? 'none'}`, () => {
        expect(permissions.hasAnyWithPrefix('dynamodb:')).toBe(needs.table !== undefined);
        for (const read of TABLE_READS) expect(permissions.has(read), read).toBe(needs.table !== undefined);
        for (const write of TABLE_WRITES) expect(permissions.has(write), write).toBe(needs.table === 'readwrite');
        if (needs.table !== undefined) {
          const resources = permissions.resourcesOf('dynamodb:Query').join(' ');
          expect(resources).toContain(`"${tableId}"`);
        }
      });

      it(`routing queue: ${needs.routingQueue === true ? 'sends' : 'does not send'}`, () => {
        expect(permissions.has('sqs:SendMessage')).toBe(needs.routingQueue === true);
        if (needs.routingQueue === true) {
          expect(permissions.resourcesOf('sqs:SendMessage')).toEqual([JSON.stringify({ 'Fn::GetAtt': [queueId, 'Arn'] })]);
        }
        // Only the router consumes the queue.
        for (const action of QUEUE_CONSUMPTION) expect(permissions.has(action), action).toBe(fn.name === 'router');
      });

      it(`connections: ${needs.connections === true ? 'manages' : 'cannot manage'} WebSocket connections`, () => {
        expect(permissions.has('execute-api:ManageConnections')).toBe(needs.connections === true);
        if (needs.connections === true) {
          const [resource, ...others] = permissions.resourcesOf('execute-api:ManageConnections');
          expect(others).toHaveLength(0);
          expect(resource).toContain(`"${apiId}"`);
          expect(resource).toContain('/*/*/@connections/*');
        }
      });

      it(`secrets: JWT ${needs.jwtSecret === true ? 'readable' : 'not readable'}, Upstash ${needs.upstash === true ? 'readable' : 'not readable'}`, () => {
        const secretResources = permissions.resourcesOf('secretsmanager:GetSecretValue');
        expect(secretResources.includes(jwtSecretRef)).toBe(needs.jwtSecret === true);
        // Whoever verifies tokens may meet an identified customer's, so reads that key too.
        expect(secretResources.includes(customerSecretRef)).toBe(needs.jwtSecret === true);
        expect(secretResources.some((resource) => resource.includes('parley/upstash'))).toBe(needs.upstash === true);
        expect(secretResources).toHaveLength(2 * Number(needs.jwtSecret === true) + Number(needs.upstash === true));
      });
    });
  }
});

describe('least privilege, spot checks', () => {
  it('the authorizer can read the JWT secret and read (not write) the table, and has no SQS access', () => {
    const authorizer = permissionsOf(functionNamed('authorizer'));
    expect(authorizer.resourcesOf('secretsmanager:GetSecretValue').sort()).toEqual([jwtSecretRef, customerSecretRef].sort());
    // Staff tokens are checked against the agent profile and the staff session at $connect.
    expect(authorizer.has('dynamodb:GetItem')).toBe(true);
    for (const write of TABLE_WRITES) expect(authorizer.has(write), write).toBe(false);
    expect(authorizer.hasAnyWithPrefix('sqs:')).toBe(false);
    expect(authorizer.hasAnyWithPrefix('execute-api:')).toBe(false);
  });

  it('the $default handler has no data access at all', () => {
    const fallback = permissionsOf(functionNamed('default'));
    for (const prefix of ['dynamodb:', 'sqs:', 'secretsmanager:', 'execute-api:']) {
      expect(fallback.hasAnyWithPrefix(prefix), prefix).toBe(false);
    }
  });

  it('typing can read the table but not write it', () => {
    const typing = permissionsOf(functionNamed('typing'));
    expect(typing.has('dynamodb:Query')).toBe(true);
    expect(typing.has('dynamodb:GetItem')).toBe(true);
    for (const write of TABLE_WRITES) expect(typing.has(write), write).toBe(false);
  });

  it('grants ManageConnections to exactly the functions whose needs say so', () => {
    const managers = stack.functions
      .filter((fn) => permissionsOf(fn).has('execute-api:ManageConnections'))
      .map((fn) => fn.name)
      .sort();
    const expected = stack.functions
      .filter((fn) => fn.needs.connections === true)
      .map((fn) => fn.name)
      .sort();
    expect(managers).toEqual(expected);
    expect(managers).toContain('router');
    expect(managers).not.toContain('connect');
  });
});
