import { describe, expect, it } from 'vitest';
import { INDEXES } from '../../functions/adapters/dynamodb/table-schema';
import { HTTP_GROUPS, HTTP_ROUTES, OPERATION_ACCESS, type Needs } from '../../functions/routes';
import type { TableAccess } from '../../functions/table-access';
import {
  actionsOf,
  logicalIdOf,
  resourcesGranted,
  resourcesOfType,
  statementsOfRole,
  synthParley,
  type PolicyStatementJson,
} from './synth-parley';

// Mail on, so a group's ses:SendEmail (or its absence) is what its operations need.
const { stack, template } = synthParley({ context: { mailFrom: 'support@example.com', mailDomain: 'example.com' } });
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
const tableArn = { 'Fn::GetAtt': [logicalIdOf(stack.storage.table), 'Arn'] };

/** What a table access allows, one `action on resource for key` per line, as IAM evaluates it for one-key requests. */
function allowed(access: TableAccess): Set<string> {
  return new Set(
    access.flatMap((grant) =>
      grant.actions.flatMap((action) =>
        grant.keys.map((key) => {
          const resource =
            grant.index === undefined ? tableArn : { 'Fn::Join': ['', [tableArn, `/index/${INDEXES[grant.index].indexName}`]] };
          return `dynamodb:${action} on ${JSON.stringify(resource)} for ${key}`;
        }),
      ),
    ),
  );
}

/** The same, read back from the role's synthesized statements. */
function granted(statements: readonly PolicyStatementJson[]): Set<string> {
  return new Set(
    statements
      .filter((statement) => actionsOf([statement]).some((action) => action.startsWith('dynamodb:')))
      .flatMap((statement) => {
        const keys = (statement.Condition as Record<string, Record<string, string | string[]>>)['ForAllValues:StringLike']![
          'dynamodb:LeadingKeys'
        ]!;
        const resourceList = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
        return actionsOf([statement]).flatMap((action) =>
          resourceList.flatMap((resource) =>
            (Array.isArray(keys) ? keys : [keys]).map((key) => `${action} on ${JSON.stringify(resource)} for ${key}`),
          ),
        );
      }),
  );
}

const anyNeeds = (needs: readonly Needs[], flag: keyof Needs) => needs.some((one) => one[flag] === true);

describe('HTTP route groups share one function (functions/routes.ts HTTP_GROUPS)', () => {
  for (const group of Object.values(HTTP_GROUPS)) {
    const definitions = HTTP_ROUTES.filter((route) => route.name === group);
    const deployed = stack.http.routes.filter(({ definition }) => definition.name === group);
    const operationNeeds = definitions.map((route) => route.operationNeeds);

    describe(`${group} (${definitions.map((route) => route.operation).join(', ')})`, () => {
      it('integrates every one of its routes with the same Lambda through one integration, each route with its own invoke permission', () => {
        expect(deployed).toHaveLength(definitions.length);
        expect(definitions.length).toBeGreaterThanOrEqual(2);
        const [fn, ...others] = new Set(deployed.map(({ handler }) => handler));
        expect(others).toHaveLength(0);
        const lambdaId = logicalIdOf(fn!.lambda);
        const targets = new Set(
          deployed.map(({ route }) => {
            const target = resources[logicalIdOf(route)]!.Properties.Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
            return target['Fn::Join'][1][1].Ref;
          }),
        );
        expect(targets.size).toBe(1);
        const integrations = Object.entries(resourcesOfType(template, 'AWS::ApiGatewayV2::Integration')).filter(([, integration]) =>
          JSON.stringify(integration.Properties?.IntegrationUri).includes(`"${lambdaId}"`),
        );
        expect(integrations.map(([id]) => id)).toEqual([...targets]);
        const permissions = Object.values(resourcesOfType(template, 'AWS::Lambda::Permission')).filter(
          (permission) =>
            JSON.stringify(permission.Properties?.FunctionName).includes(`"${lambdaId}"`) &&
            permission.Properties?.Principal === 'apigateway.amazonaws.com',
        );
        expect(permissions).toHaveLength(definitions.length);
        expect(fn!.name).toBe(group);
        // The description names every route it serves, so the console says what the function does.
        const description = resources[lambdaId]!.Properties.Description as string;
        for (const route of definitions) expect(description).toContain(`${route.method} ${route.path}`);
      });

      it("has exactly the union of its operations' table access: nothing one of them does not need", () => {
        const fn = deployed[0]!.handler;
        const union = new Set(definitions.flatMap((route) => [...allowed(OPERATION_ACCESS[route.operation] ?? [])]));
        for (const route of definitions) expect(OPERATION_ACCESS[route.operation], route.operation).toBeDefined();
        expect(granted(statementsOfRole(template, logicalIdOf(fn.role)))).toEqual(union);
        expect(allowed(fn.tableAccess)).toEqual(union);
      });

      it("has exactly the union of its operations' other needs: queue, connections, mail, secrets", () => {
        const statements = statementsOfRole(template, logicalIdOf(deployed[0]!.handler.role));
        const actions = new Set(actionsOf(statements));
        expect(actions.has('sqs:SendMessage')).toBe(anyNeeds(operationNeeds, 'routingQueue'));
        expect(actions.has('execute-api:ManageConnections')).toBe(anyNeeds(operationNeeds, 'connections'));
        expect(actions.has('ses:SendEmail')).toBe(anyNeeds(operationNeeds, 'mail'));
        const secrets = resourcesGranted(statements, 'secretsmanager:GetSecretValue');
        expect(secrets.some((resource) => resource.includes('parley/upstash'))).toBe(anyNeeds(operationNeeds, 'upstash'));
        expect(secrets.includes(JSON.stringify({ Ref: logicalIdOf(stack.storage.verificationKeysSecret) }))).toBe(
          anyNeeds(operationNeeds, 'verificationKeys'),
        );
        expect(secrets.includes(JSON.stringify({ Ref: logicalIdOf(stack.storage.signingKeysSecret) }))).toBe(false);
        const writes = operationNeeds.some((needs) => needs.table === 'readwrite');
        expect([...actions].some((action) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(action))).toBe(writes);
      });
    });
  }

  it('every other HTTP route is its own operation, with its own needs', () => {
    const shared = new Set<string>(Object.values(HTTP_GROUPS));
    for (const { definition } of stack.http.routes.filter(({ definition }) => !shared.has(definition.name))) {
      expect(definition.operation, `${definition.method} ${definition.path}`).toBe(definition.name);
      expect(definition.needs).toBe(definition.operationNeeds);
    }
  });
});
