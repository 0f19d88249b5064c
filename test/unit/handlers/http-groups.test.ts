import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { HttpDispatcher } from '../../../functions/handlers/shared/http';
import { logger } from '../../../functions/shared/observability';
import { HTTP_GROUPS, HTTP_ROUTES, unionOfNeeds } from '../../../functions/routes';

const groups = Object.values(HTTP_GROUPS).map((group) => ({ group, routes: HTTP_ROUTES.filter((route) => route.name === group) }));

/** Every group entry and operation module's `handler`, by path under the repository root. */
const modules = new Map<string, unknown>();
const load = (entry: string) => {
  if (!modules.has(entry)) throw new Error(`${entry} was not loaded`);
  return modules.get(entry);
};

// Loading them imports the wiring and every service once: done up front, under the hook timeout.
beforeAll(async () => {
  const entries = new Set(
    groups.flatMap(({ routes }) => routes.flatMap((route) => [route.entry, `functions/handlers/http/${route.operation}.ts`])),
  );
  for (const entry of entries) {
    modules.set(entry, ((await import(/* @vite-ignore */ `../../../${entry}`)) as { handler: unknown }).handler);
  }
});

describe('HTTP route groups (functions/routes.ts HTTP_GROUPS)', () => {
  it('each group serves at least two routes, all through the group entry, each operation in one group', () => {
    for (const { group, routes } of groups) {
      expect(routes.length, group).toBeGreaterThanOrEqual(2);
      for (const route of routes) expect(route.entry, route.operation).toBe(`functions/handlers/http/${group}.ts`);
    }
    const grouped = HTTP_ROUTES.filter((route) => route.operation !== route.name);
    expect(grouped.map((route) => route.name).every((name) => (Object.values(HTTP_GROUPS) as string[]).includes(name))).toBe(true);
    expect(new Set(grouped.map((route) => route.operation)).size).toBe(grouped.length);
  });

  it.each(groups)('$group dispatches each of its route keys, and only those, to its operation’s own handler', ({ group, routes }) => {
    const entry = load(routes[0]!.entry) as HttpDispatcher;
    expect(entry.group).toBe(group);
    expect(Object.keys(entry.routes).sort()).toEqual(routes.map((route) => `${route.method} ${route.path}`).sort());
    for (const route of routes) {
      const own = load(`functions/handlers/http/${route.operation}.ts`);
      expect(entry.routes[`${route.method} ${route.path}`], route.operation).toBe(own);
    }
  });

  it.each(groups)('$group needs exactly the union of its operations’ needs', ({ routes }) => {
    const union = unionOfNeeds(routes.map((route) => route.operationNeeds));
    for (const route of routes) expect(route.needs, route.operation).toEqual(union);
  });

  it('answers a route key its group does not serve with 404 not_found, naming the group and the key, touching nothing', async () => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const entry = load('functions/handlers/http/ticket-reads.ts') as HttpDispatcher;
    const event = {
      routeKey: 'DELETE /v1/tickets/{id}',
      rawPath: '/v1/tickets/t1',
      headers: {},
      requestContext: { requestId: 'r1', http: { method: 'DELETE', path: '/v1/tickets/t1', sourceIp: '203.0.113.1' } },
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyEventV2;
    const result = await entry(event);
    expect(result.statusCode).toBe(404);
    expect(JSON.parse(result.body ?? '')).toEqual({
      error: { code: 'not_found', message: 'ticket-reads serves no route "DELETE /v1/tickets/{id}"' },
    });
    expect(warn).toHaveBeenCalledWith('No operation for this route key in its group', {
      routeKey: 'DELETE /v1/tickets/{id}',
      group: 'ticket-reads',
    });
    warn.mockRestore();
  });
});

describe('unionOfNeeds', () => {
  it('sets every flag any operation sets and takes the widest table use', () => {
    expect(
      unionOfNeeds([
        { table: 'read', upstash: true },
        { table: 'readwrite', mail: true },
      ]),
    ).toEqual({
      table: 'readwrite',
      upstash: true,
      mail: true,
    });
    expect(unionOfNeeds([{ table: 'read' }, { verificationKeys: true }])).toEqual({ table: 'read', verificationKeys: true });
    expect(unionOfNeeds([{}, { connections: false }])).toEqual({});
  });
});
