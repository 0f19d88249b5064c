import type { Context } from 'aws-lambda';
import type * as z from '../../shared/zod';
import { type CustomerAttrs, customerAttrsProblem } from '../../domain/customer-context';
import { UnauthorizedError } from '../../domain/errors';
import { ROLES, type Role, type User } from '../../domain/identity';
import type { ServerFrame } from '../../protocol/server-frames';
import type { VouchedCustomer } from '../../ports/tokens';
import type { Caller, Ports } from '../../services/context';
import { assertTokenCurrent } from '../../services/staff-sessions';
import { randomUUID } from 'node:crypto';
import { flushMetrics, inInvocation, logger, setCorrelationId } from '../../shared/observability';
import { annotateTrace } from '../../shared/tracing';
import { getPorts } from '../../wiring';
import { parseJsonObject, validate } from './parse';
import { type LimitCheck, websocketLimitChecks } from '../../domain/limits';
import { HTTP_STATUS, toProtocolError } from './error-mapping';
import { enforceLimits } from './rate-limit';
import { recordServerFault } from './server-fault';

/** The parts of API Gateway's WebSocket event Parley reads (authorizer context included). */
export interface WebSocketEvent {
  body?: string | null;
  isBase64Encoded?: boolean;
  requestContext: {
    connectionId: string;
    routeKey: string;
    requestId?: string;
    authorizer?: Record<string, unknown> | null;
    identity?: { sourceIp?: string } | null;
  };
}

export interface WebSocketResult {
  statusCode: number;
  body?: string;
}

/** Values the authorizer put in its context; present on every route of the connection. */
export interface AuthorizedCaller extends Caller {
  readonly connectionId: string;
  /** Token expiry, epoch seconds. */
  readonly expiresAt: number;
  /** Token `iat`, epoch seconds. */
  readonly issuedAt: number;
  /** Who issued the token (`parley`, `site`, `oidc`). */
  readonly source: 'parley' | 'site' | 'oidc';
  /** The staff session of a Parley staff token. */
  readonly sessionId?: string | undefined;
  /** The client's address as API Gateway saw it. */
  readonly sourceIp?: string | undefined;
}

export function callerFromEvent(event: WebSocketEvent): AuthorizedCaller {
  const context = event.requestContext.authorizer ?? {};
  const role = String(context.role ?? '');
  const userId = String(context.userId ?? context.principalId ?? '');
  if (!userId || !ROLES.includes(role as Role)) throw new UnauthorizedError('The connection carries no identity');
  const user: User = {
    id: userId,
    role: role as Role,
    name: String(context.name ?? ''),
    skills: String(context.skills ?? '')
      .split(',')
      .filter((skill) => skill.length > 0),
  };
  const source = context.source === 'site' || context.source === 'oidc' ? context.source : 'parley';
  const sessionId = typeof context.sessionId === 'string' && context.sessionId ? context.sessionId : undefined;
  const sourceIp = event.requestContext.identity?.sourceIp;
  const customer = vouchedCustomerOf(context);
  return {
    user,
    connectionId: event.requestContext.connectionId,
    expiresAt: Number(context.expiresAt ?? 0),
    issuedAt: Number(context.issuedAt ?? 0),
    source,
    ...(sessionId ? { sessionId } : {}),
    ...(sourceIp ? { sourceIp } : {}),
    ...(customer ? { customer } : {}),
  };
}

/** The identified customer's email and attrs the authorizer passed on (attrs as JSON, checked again). */
function vouchedCustomerOf(context: Record<string, unknown>): VouchedCustomer | undefined {
  const email = typeof context.customerEmail === 'string' && context.customerEmail ? context.customerEmail : undefined;
  let attrs: CustomerAttrs | undefined;
  if (typeof context.customerAttrs === 'string') {
    try {
      const parsed: unknown = JSON.parse(context.customerAttrs);
      if (customerAttrsProblem(parsed) === undefined) attrs = parsed as CustomerAttrs;
    } catch {
      // The authorizer wrote it; unreadable means none.
    }
  }
  if (!email && !attrs) return undefined;
  return { ...(email ? { email } : {}), ...(attrs ? { attrs } : {}) };
}

const ok = (frame?: ServerFrame): WebSocketResult => (frame ? { statusCode: 200, body: JSON.stringify(frame) } : { statusCode: 200 });

/** Fields an error frame echoes so the client knows what it answers. */
function echoFields(body: unknown): Pick<Extract<ServerFrame, { type: 'error' }>, 'action' | 'clientMsgId' | 'conversationId'> {
  if (typeof body !== 'object' || body === null) return {};
  const record = body as Record<string, unknown>;
  const pick = (name: string) =>
    typeof record[name] === 'string' && (record[name] as string).length <= 128 ? (record[name] as string) : undefined;
  const action = pick('action');
  const clientMsgId = pick('clientMsgId');
  const conversationId = pick('conversationId');
  return {
    ...(action ? { action } : {}),
    ...(clientMsgId ? { clientMsgId } : {}),
    ...(conversationId ? { conversationId } : {}),
  };
}

function safeParse(body: string | null | undefined): unknown {
  try {
    return body ? JSON.parse(body) : undefined;
  } catch {
    return undefined;
  }
}

export function errorFrame(error: unknown, body: unknown, fallbackAction: string): ServerFrame {
  const mapped = toProtocolError(error);
  const echo = echoFields(body);
  if (mapped.serverFault) recordServerFault(fallbackAction, error, 'Action failed');
  else logger.info('Action refused', { code: mapped.code, reason: mapped.message });
  return {
    type: 'error',
    code: mapped.code,
    message: mapped.message,
    action: echo.action ?? fallbackAction,
    ...(echo.clientMsgId ? { clientMsgId: echo.clientMsgId } : {}),
    ...(echo.conversationId ? { conversationId: echo.conversationId } : {}),
    ...(mapped.retryAfterMs !== undefined ? { retryAfterMs: mapped.retryAfterMs } : {}),
  };
}

// biome-ignore lint/suspicious/noConfusingVoidType: actions that answer nothing (typing, read) return void.
type ActionResult = ServerFrame | ServerFrame[] | void;

/**
 * A client action: authorize the connection, validate the frame, run the use case, reply.
 * The last frame is the route response; earlier ones are pushed first through the
 * management API so the client sees them in order. Errors become `error` frames.
 */
export function actionHandler<S extends z.ZodMiniType, A = undefined>(
  action: string,
  schema: S,
  run: (ports: Ports, caller: AuthorizedCaller, frame: z.infer<S>, admitted: A | undefined) => Promise<ActionResult>,
  /** Counts the route's limits (enforceLimits unless given); what it returns reaches `run`. */
  admit?: (ports: Ports, checks: readonly LimitCheck[], fields: Readonly<Record<string, unknown>>) => Promise<A | undefined>,
) {
  return (event: WebSocketEvent, context?: Context): Promise<WebSocketResult> =>
    inInvocation(context, async () => {
      const body = safeParse(event.body);
      // One id for every log line the frame causes, here and in the router (carried on SQS).
      setCorrelationId(echoFields(body).clientMsgId ?? randomUUID());
      if (event.requestContext.requestId) logger.appendKeys({ requestId: event.requestContext.requestId });
      try {
        const caller = callerFromEvent(event);
        logger.appendKeys({ connectionId: caller.connectionId, userId: caller.user.id, action });
        annotateTrace({ route: action, connectionId: caller.connectionId });
        const ports = getPorts();
        const refusal =
          caller.expiresAt * 1000 <= ports.clock.now().getTime()
            ? new UnauthorizedError('The token has expired')
            : await assertTokenCurrent(ports, caller).then(
                () => undefined,
                (error: unknown) => (error instanceof UnauthorizedError ? error : Promise.reject(error)),
              );
        if (refusal) {
          // The token ran out or was revoked since connect: say so, then close (a route response could not arrive).
          await ports.notifier.send(caller.connectionId, errorFrame(refusal, body, action));
          await ports.notifier.disconnect(caller.connectionId);
          return ok();
        }
        // Counted before validation, so a flood of malformed frames is limited too.
        const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
        const checks = websocketLimitChecks(action, fields, { userId: caller.user.id, connectionId: caller.connectionId });
        let admitted: A | undefined;
        if (admit) admitted = await admit(ports, checks, fields);
        else await enforceLimits(ports, checks);
        const frame = validate(schema, parseJsonObject(event.body, 'The frame'));
        const conversationId = (frame as { conversationId?: unknown }).conversationId;
        if (typeof conversationId === 'string') {
          logger.appendKeys({ conversationId });
          annotateTrace({ conversationId });
        }
        const result = await run(ports, caller, frame, admitted);
        const frames = result === undefined ? [] : Array.isArray(result) ? result : [result];
        for (const early of frames.slice(0, -1)) await ports.notifier.send(caller.connectionId, early);
        return ok(frames.at(-1));
      } catch (error) {
        return ok(errorFrame(error, body, action));
      } finally {
        flushMetrics();
      }
    });
}

/**
 * `$connect` / `$disconnect`: no frame and no reply; a failure refuses the connection, with
 * 429 or 503 when the refusal is a limit (API Gateway answers the handshake with the status).
 */
export function lifecycleHandler(run: (ports: Ports, caller: AuthorizedCaller) => Promise<void>) {
  return (event: WebSocketEvent, context?: Context): Promise<WebSocketResult> =>
    inInvocation(context, async () => {
      const route = event.requestContext.routeKey.replace(/^\$/, '');
      setCorrelationId(event.requestContext.requestId ?? randomUUID());
      try {
        const caller = callerFromEvent(event);
        logger.appendKeys({ connectionId: caller.connectionId, userId: caller.user.id, route: event.requestContext.routeKey });
        annotateTrace({ route, connectionId: caller.connectionId });
        await run(getPorts(), caller);
        return { statusCode: 200 };
      } catch (error) {
        const mapped = toProtocolError(error);
        if (mapped.serverFault) recordServerFault(route, error, 'Connection lifecycle failed');
        else logger.info('Connection refused', { code: mapped.code, reason: mapped.message });
        return { statusCode: mapped.code === 'rate_limited' || mapped.code === 'unavailable' ? HTTP_STATUS[mapped.code] : 500 };
      } finally {
        flushMetrics();
      }
    });
}
