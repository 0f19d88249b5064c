import { describe, expect, it } from 'vitest';
import { INDEXES } from '../../functions/adapters/dynamodb/table-schema';
import { keyPatternMatches, type IndexName } from '../../functions/table-access';
import { logicalIdOf, actionsOf, resourcesGranted, statementsOfRole, synthParley, type PolicyStatementJson } from './synth-parley';
import { HTTP_ROUTES } from '../../functions/routes';
import type { ParleyFunction } from '../../lib/constructs/parley-function';

const { stack, template } = synthParley();
const tableId = logicalIdOf(stack.storage.table);
const queueId = logicalIdOf(stack.routing.queue);
const deadLetterQueueId = logicalIdOf(stack.routing.deadLetterQueue);
const webhookQueueRef = JSON.stringify({ 'Fn::GetAtt': [logicalIdOf(stack.webhookQueues.queue), 'Arn'] });
const eventsQueueId = logicalIdOf(stack.eventsQueue.queue);
const apiId = logicalIdOf(stack.realtime.webSocketApi);
const signingKeysRef = JSON.stringify({ Ref: logicalIdOf(stack.storage.signingKeysSecret) });
const verificationKeysRef = JSON.stringify({ Ref: logicalIdOf(stack.storage.verificationKeysSecret) });
const customerSecretRef = JSON.stringify({ Ref: logicalIdOf(stack.storage.identifiedCustomerSecret) });

const TABLE_WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
const tableArn = { 'Fn::GetAtt': [tableId, 'Arn'] };
const indexArn = (index: IndexName) => ({ 'Fn::Join': ['', [tableArn, `/index/${INDEXES[index].indexName}`]] });

function leadingKeysOf(statement: PolicyStatementJson): string[] | undefined {
  const condition = (statement.Condition as Record<string, Record<string, string | string[]>> | undefined)?.['ForAllValues:StringLike'];
  const keys = condition?.['dynamodb:LeadingKeys'];
  return keys === undefined ? undefined : Array.isArray(keys) ? keys : [keys];
}

/** Every (action, key pattern) a function may use on the base table. */
function tableKeyGrants(fn: ParleyFunction): { action: string; key: string }[] {
  return statementsOfRole(template, logicalIdOf(fn.role))
    .filter((statement) => JSON.stringify(statement.Resource) === JSON.stringify(tableArn))
    .flatMap((statement) =>
      actionsOf([statement]).flatMap((action) => (leadingKeysOf(statement) ?? ['*']).map((key) => ({ action, key }))),
    );
}
/** The streams of one function in a log group: `*` spans the date, `[` is literal to IAM. */
const logStreamsArn = (logGroupId: string, functionName: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':logs:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      ':log-group:',
      { Ref: logGroupId },
      `:log-stream:*/${functionName}[*`,
    ],
  ],
});
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
        // Only the attachment paths, customers' data rights (and inbound mail) touch S3.
        if (needs.attachments !== undefined || needs.customerData === true || needs.inboundMail === true) allowedPrefixes.push('s3:');
        for (const action of permissions.actions) {
          expect(
            allowedPrefixes.some((prefix) => action.startsWith(prefix)),
            action,
          ).toBe(true);
          expect(action.endsWith('*'), action).toBe(false);
        }
      });

      it("writes logs only to its own streams in its construct's shared log group", () => {
        // Lambda names the streams of a custom log group YYYY/MM/DD/<function name>[<version>]<id>.
        const ownStreams = JSON.stringify(logStreamsArn(logicalIdOf(fn.logGroup), `Parley-${fn.name}`));
        const logActions = actionsOf(permissions.statements).filter((action) => action.startsWith('logs:'));
        expect(logActions.sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
        expect(permissions.resourcesOf('logs:CreateLogStream')).toEqual([ownStreams]);
        expect(permissions.resourcesOf('logs:PutLogEvents')).toEqual([ownStreams]);
      });

      it('table access: exactly its declared grants, each conditioned on dynamodb:LeadingKeys, never Scan', () => {
        const tableStatements = permissions.statements.filter((statement) => actionsOf([statement]).some((a) => a.startsWith('dynamodb:')));
        // CDK merges statements with equal resources and conditions, so compare what they allow.
        const granted = tableStatements.flatMap((statement) =>
          actionsOf([statement]).flatMap((action) =>
            (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]).flatMap((resource) =>
              (leadingKeysOf(statement) ?? []).map((key) => `${action} on ${JSON.stringify(resource)} for ${key}`),
            ),
          ),
        );
        const declared = fn.tableAccess.flatMap((grant) =>
          grant.actions.flatMap((action) =>
            grant.keys.map(
              (key) => `dynamodb:${action} on ${JSON.stringify(grant.index === undefined ? tableArn : indexArn(grant.index))} for ${key}`,
            ),
          ),
        );
        expect(new Set(granted)).toEqual(new Set(declared));
        for (const statement of tableStatements) {
          expect(Object.keys(statement.Condition as object)).toEqual(['ForAllValues:StringLike']);
          expect(leadingKeysOf(statement)?.length, JSON.stringify(statement)).toBeGreaterThan(0);
        }
        expect(permissions.has('dynamodb:Scan')).toBe(false);
        // The coarse `needs.table` agrees on whether the table is touched at all (TABLE_ACCESS decides what).
        expect(fn.tableAccess.length > 0).toBe(needs.table !== undefined);
      });

      it(`routing queue: ${needs.routingQueue === true ? 'sends' : 'does not send'}; events queue: ${needs.events === true ? 'publishes' : 'does not publish'}; webhook deliveries: ${needs.webhookDeliveries === true ? 'sends' : 'does not send'}`, () => {
        expect(permissions.has('sqs:SendMessage')).toBe(
          needs.routingQueue === true || needs.events === true || needs.webhookDeliveries === true,
        );
        // The router alone may also park what can never succeed in the DLQ (SendMessage only);
        // publishers of domain events send to the events queue, webhook senders to theirs.
        expect(permissions.resourcesOf('sqs:SendMessage').sort()).toEqual(
          [
            ...(needs.routingQueue === true ? [JSON.stringify({ 'Fn::GetAtt': [queueId, 'Arn'] })] : []),
            ...(needs.parksUnroutable === true ? [JSON.stringify({ 'Fn::GetAtt': [deadLetterQueueId, 'Arn'] })] : []),
            ...(needs.events === true ? [JSON.stringify({ 'Fn::GetAtt': [eventsQueueId, 'Arn'] })] : []),
            ...(needs.webhookDeliveries === true ? [webhookQueueRef] : []),
          ].sort(),
        );
        expect(needs.parksUnroutable === true).toBe(fn.name === 'router');
        // Only the router, the events consumer and the webhook worker consume a queue, each its own (the event source mappings).
        const consumers = ['router', 'events', 'webhook-delivery'];
        for (const action of QUEUE_CONSUMPTION) expect(permissions.has(action), action).toBe(consumers.includes(fn.name));
        if (fn.name === 'events')
          expect(permissions.resourcesOf('sqs:ReceiveMessage')).toEqual([JSON.stringify({ 'Fn::GetAtt': [eventsQueueId, 'Arn'] })]);
        if (fn.name === 'router')
          expect(permissions.resourcesOf('sqs:ReceiveMessage')).toEqual([JSON.stringify({ 'Fn::GetAtt': [queueId, 'Arn'] })]);
        if (fn.name === 'webhook-delivery') expect(permissions.resourcesOf('sqs:ReceiveMessage')).toEqual([webhookQueueRef]);
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

      const readsSigningKeys = needs.signingKeys === true || needs.rotatesSigningKeys === true;
      const readsVerificationKeys = needs.verificationKeys === true || needs.rotatesSigningKeys === true;
      it(`secrets: signing keys ${readsSigningKeys ? 'readable' : 'not readable'}, verification keys ${readsVerificationKeys ? 'readable' : 'not readable'}, Upstash ${needs.upstash === true ? 'readable' : 'not readable'}`, () => {
        const secretResources = permissions.resourcesOf('secretsmanager:GetSecretValue');
        expect(secretResources.includes(signingKeysRef)).toBe(readsSigningKeys);
        expect(secretResources.includes(verificationKeysRef)).toBe(readsVerificationKeys);
        // Whoever verifies tokens may meet an identified customer's, so reads that key too.
        expect(secretResources.includes(customerSecretRef)).toBe(needs.verificationKeys === true);
        expect(secretResources.some((resource) => resource.includes('parley/upstash'))).toBe(needs.upstash === true);
        expect(new Set(secretResources).size).toBe(
          Number(readsSigningKeys) +
            Number(readsVerificationKeys) +
            Number(needs.verificationKeys === true) +
            Number(needs.upstash === true),
        );
      });

      it(`secrets: ${needs.rotatesSigningKeys === true ? 'writes the two key sets' : 'writes no secret'}`, () => {
        const writes = [...permissions.actions].filter((action) => /^secretsmanager:(Put|Update|Create|Delete|Rotate)/.test(action));
        if (needs.rotatesSigningKeys !== true) {
          expect(writes).toEqual([]);
          return;
        }
        expect(permissions.resourcesOf('secretsmanager:PutSecretValue').sort()).toEqual([signingKeysRef, verificationKeysRef].sort());
        expect(permissions.resourcesOf('secretsmanager:UpdateSecretVersionStage')).toEqual([signingKeysRef]);
      });
    });
  }
});

describe('least privilege in data', () => {
  it('grants Scan to no function, on no resource', () => {
    for (const fn of stack.functions) expect(permissionsOf(fn).has('dynamodb:Scan'), fn.name).toBe(false);
    expect(JSON.stringify(template.toJSON())).not.toContain('dynamodb:Scan');
  });

  it('lets only auth-login read password hashes (CREDENTIAL#), by no pattern that covers them', () => {
    const credential = 'CREDENTIAL#agent-1';
    const readers = stack.functions
      .filter((fn) =>
        tableKeyGrants(fn).some(
          ({ action, key }) =>
            ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'].includes(action) && keyPatternMatches(key, credential),
        ),
      )
      .map((fn) => fn.name);
    expect(readers).toEqual(['auth-login']);
  });

  it('lets the admin functions write credentials blind (no read), and only agent-writes (agents-delete) delete them', () => {
    const credentialActions = (name: string) =>
      tableKeyGrants(functionNamed(name))
        .filter(({ key }) => keyPatternMatches(key, 'CREDENTIAL#x'))
        .map(({ action }) => action)
        .sort();
    expect(credentialActions('agents-create')).toEqual(['dynamodb:PutItem']);
    // agents-update (a new password: PutItem) and agents-delete (DeleteItem) share agent-writes.
    expect(credentialActions('agent-writes')).toEqual(['dynamodb:DeleteItem', 'dynamodb:PutItem']);
    expect(credentialActions('auth-login')).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
  });

  it('gives no function a key pattern of * on the base table', () => {
    for (const fn of stack.functions) {
      for (const { action, key } of tableKeyGrants(fn)) expect(key, `${fn.name} ${action}`).not.toBe('*');
    }
  });

  it('keeps rate and read to their conversation items and the connection list', () => {
    for (const name of ['rate', 'read', 'typing']) {
      const keys = new Set(tableKeyGrants(functionNamed(name)).map(({ key }) => key));
      expect([...keys].sort(), name).toEqual(['AGENT#*', 'CONV#*', 'SESSION#*', 'USER#*']);
    }
  });

  it('queries indexes through their own ARNs, never index/*', () => {
    expect(JSON.stringify(template.toJSON())).not.toContain('/index/*');
  });
});

/** Whether an IAM resource pattern matches a name: `*` any run of characters, `?` one, all else literal. */
function iamPatternMatches(pattern: string, name: string): boolean {
  const source = [...pattern].map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
  return new RegExp(`^${source.join('')}$`).test(name);
}

describe('least privilege, spot checks', () => {
  it("no function's log-stream pattern reaches another function's streams, even one whose name extends it", () => {
    // The stream part of the granted ARN, as the template has it.
    const streamPattern = (fn: ParleyFunction) => {
      const [arn] = permissionsOf(fn).resourcesOf('logs:PutLogEvents');
      const parts = (JSON.parse(arn!) as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
      return String(parts.at(-1)).replace(/^:log-stream:/, '');
    };
    const streamOf = (fn: ParleyFunction) => `2025/06/01/${fn.functionName}[$LATEST]0123456789abcdef0123456789abcdef`;
    expect(stack.functions.some((fn) => stack.functions.some((other) => other !== fn && other.name.startsWith(fn.name)))).toBe(true);
    for (const fn of stack.functions) {
      for (const other of stack.functions) {
        expect(iamPatternMatches(streamPattern(fn), streamOf(other)), `${fn.name} -> ${other.name}`).toBe(fn === other);
      }
    }
  });

  it('the authorizer can read the public keys (not the signing keys) and read (not write) the table, and has no SQS access', () => {
    const authorizer = permissionsOf(functionNamed('authorizer'));
    expect(authorizer.resourcesOf('secretsmanager:GetSecretValue').sort()).toEqual([verificationKeysRef, customerSecretRef].sort());
    // Staff tokens are checked against the agent profile and the staff session at $connect.
    expect(authorizer.has('dynamodb:GetItem')).toBe(true);
    for (const write of TABLE_WRITES) expect(authorizer.has(write), write).toBe(false);
    expect(authorizer.hasAnyWithPrefix('sqs:')).toBe(false);
    expect(authorizer.hasAnyWithPrefix('execute-api:')).toBe(false);
  });

  it('only the three minting endpoints and the key rotation can read the signing keys', () => {
    const readers = stack.functions
      .filter((fn) => permissionsOf(fn).resourcesOf('secretsmanager:GetSecretValue').includes(signingKeysRef))
      .map((fn) => fn.name)
      .sort();
    expect(readers).toEqual(['auth-guest', 'auth-login', 'auth-refresh', 'rotate-signing-keys']);
  });

  it('every function that verifies a bearer token reads the verification keys, and no other but the rotation', () => {
    // The auth endpoints and the public availability route take no bearer token.
    const bearerRoutes = new Set(
      HTTP_ROUTES.filter((route) => !route.path.startsWith('/v1/auth/') && route.name !== 'availability').map((route) => route.name),
    );
    const readers = stack.functions
      .filter((fn) => permissionsOf(fn).resourcesOf('secretsmanager:GetSecretValue').includes(verificationKeysRef))
      .map((fn) => fn.name)
      .sort();
    // Routes of one feature share one function: each function once.
    expect(readers).toEqual(['authorizer', 'rotate-signing-keys', ...new Set(bearerRoutes)].sort());
    // The minting endpoints verify nothing, so they cannot read the public keys either.
    for (const name of ['auth-guest', 'auth-login', 'auth-refresh', 'auth-logout', 'availability']) expect(readers).not.toContain(name);
  });

  it('the $default handler has no data access at all', () => {
    const fallback = permissionsOf(functionNamed('default'));
    for (const prefix of ['dynamodb:', 'sqs:', 'secretsmanager:', 'execute-api:']) {
      expect(fallback.hasAnyWithPrefix(prefix), prefix).toBe(false);
    }
  });

  it('typing writes nothing but the removal of connection records the gateway reports gone', () => {
    const writes = tableKeyGrants(functionNamed('typing')).filter(({ action }) => TABLE_WRITES.includes(action));
    expect(writes).toEqual([{ action: 'dynamodb:DeleteItem', key: 'USER#*' }]);
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
