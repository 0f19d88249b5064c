import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type * as z from '../../shared/zod';
import { UnauthorizedError } from '../../domain/errors';
import type { User } from '../../domain/identity';
import { httpIpLimitChecks, httpUserLimitChecks } from '../../domain/limits';
import type { Ports } from '../../services/context';
import { assertTokenCurrent } from '../../services/staff-sessions';
import { randomUUID } from 'node:crypto';
import { flushMetrics, inInvocation, logger, setCorrelationId } from '../../shared/observability';
import { annotateTrace } from '../../shared/tracing';
import { getPorts } from '../../wiring';
import { HTTP_STATUS, toProtocolError } from './error-mapping';
import { parseJsonObject, validate } from './parse';
import { enforceLimits } from './rate-limit';
import { recordServerFault } from './server-fault';

export interface HttpRequest<B> {
  readonly body: B;
  readonly query: Record<string, string | undefined>;
  readonly params: Record<string, string | undefined>;
  readonly sourceIp: string;
  /** The API Gateway route key (`GET /v1/reports`): routes sharing one function dispatch on it. */
  readonly routeKey: string;
}

const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  body: JSON.stringify(body),
});

/** Verifies the token, counts the caller's per-user limits, then checks the token is still backed. */
async function authenticate(ports: Ports, event: APIGatewayProxyEventV2, routeName: string): Promise<User> {
  const header = event.headers.authorization ?? event.headers.Authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match?.[1]) throw new UnauthorizedError('Send a token as "Authorization: Bearer <jwt>"');
  const verified = await ports.tokens.verify(match[1]);
  logger.appendKeys({ userId: verified.user.id });
  // Before the account read below, so a flood from one user stops at the counter.
  await enforceLimits(ports, httpUserLimitChecks(routeName, verified.user.id));
  // A staff token whose account was deleted, disabled or changed, or whose session ended, is refused.
  await assertTokenCurrent(ports, verified);
  return verified.user;
}

/** A client-supplied correlation id, when it is short and plain enough to log. */
function correlationIdOf(event: APIGatewayProxyEventV2): string | undefined {
  const value = event.headers?.['x-correlation-id'];
  return value && /^[\w.:-]{1,128}$/.test(value) ? value : undefined;
}

interface RouteSpec<S extends z.ZodMiniType | undefined> {
  /** The route's name in routes.ts; its limits are looked up by it (domain/limits.ts). */
  readonly name: string;
  /** Schema for the JSON body; routes without one take no body. */
  readonly body?: S;
  /** Whether the caller must present a token. */
  readonly authenticated: boolean;
}

type BodyOf<S> = S extends z.ZodMiniType ? z.infer<S> : undefined;

/** An HTTP API (payload 2.0) route: authenticate, validate, run, map errors to `{error}` bodies. */
export function httpHandler<S extends z.ZodMiniType | undefined>(
  spec: RouteSpec<S>,
  run: (
    ports: Ports,
    request: HttpRequest<BodyOf<S>>,
    user: User | undefined,
  ) => Promise<{
    status?: number;
    body: unknown;
    headers?: Record<string, string> /** Sent as is (e.g. CSV) instead of the body's JSON. */;
    text?: string;
  }>,
) {
  return (event: APIGatewayProxyEventV2, context?: Context): Promise<APIGatewayProxyStructuredResultV2> =>
    inInvocation(context, async () => {
      logger.appendKeys({ route: spec.name, requestId: event.requestContext.requestId });
      annotateTrace({ route: `http:${event.routeKey}` });
      // A client may name its own id (x-correlation-id); otherwise the request gets a new one.
      setCorrelationId(correlationIdOf(event) ?? randomUUID());
      try {
        const ports = getPorts();
        // Per IP before anything else, so floods of bad requests count too; per user once known.
        await enforceLimits(ports, httpIpLimitChecks(spec.name, event.requestContext.http.sourceIp));
        const user = spec.authenticated ? await authenticate(ports, event, spec.name) : undefined;
        const raw = event.isBase64Encoded && event.body ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
        const body = (spec.body ? validate(spec.body, parseJsonObject(raw ?? '', 'The request body')) : undefined) as BodyOf<S>;
        const result = await run(
          ports,
          {
            body,
            query: event.queryStringParameters ?? {},
            params: event.pathParameters ?? {},
            sourceIp: event.requestContext.http.sourceIp,
            routeKey: event.routeKey,
          },
          user,
        );
        if (result.text !== undefined) {
          return { statusCode: result.status ?? 200, headers: { 'cache-control': 'no-store', ...result.headers }, body: result.text };
        }
        return json(result.status ?? 200, result.body, result.headers);
      } catch (error) {
        const mapped = toProtocolError(error);
        if (mapped.serverFault) recordServerFault(`http:${event.routeKey}`, error, 'Request failed');
        else logger.info('Request refused', { code: mapped.code, reason: mapped.message });
        const headers: Record<string, string> =
          mapped.retryAfterMs !== undefined ? { 'retry-after': String(Math.ceil(mapped.retryAfterMs / 1000)) } : {};
        return json(HTTP_STATUS[mapped.code], { error: { code: mapped.code, message: mapped.message } }, headers);
      } finally {
        flushMetrics();
      }
    });
}

type HttpEntry = (event: APIGatewayProxyEventV2, context?: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** A group's entry (routes.ts HTTP_GROUPS), with the operation handler behind each route key. */
export type HttpDispatcher = HttpEntry & { readonly group: string; readonly routes: Readonly<Record<string, HttpEntry>> };

/**
 * The entry of an HTTP route group: one function serving several routes, each route key
 * (`GET /v1/tickets/{id}`) handed to its operation's own handler, which authenticates,
 * counts limits and logs under its own name. A route key the group does not serve (a route
 * wired to the wrong function) is answered 404 `not_found`, naming the group and the key.
 */
export function httpDispatcher(group: string, routes: Readonly<Record<string, HttpEntry>>): HttpDispatcher {
  const dispatch = (event: APIGatewayProxyEventV2, context?: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const operation = Object.hasOwn(routes, event.routeKey) ? routes[event.routeKey] : undefined;
    if (operation !== undefined) return operation(event, context);
    return inInvocation(context, async () => {
      logger.appendKeys({ route: group, requestId: event.requestContext?.requestId });
      logger.warn('No operation for this route key in its group', { routeKey: event.routeKey, group });
      return json(HTTP_STATUS.not_found, {
        error: { code: 'not_found', message: `${group} serves no route ${JSON.stringify(event.routeKey)}` },
      });
    });
  };
  return Object.assign(dispatch, { group, routes });
}
