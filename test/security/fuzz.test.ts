import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { WEBSOCKET_ROUTES } from '../../functions/routes';
import type { WebSocketEvent, WebSocketResult } from '../../functions/handlers/shared/websocket';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { postJson, type RawClient } from '../../local/tools/raw-client';
import { connectAndSync, guestToken } from './support';
import { beforeAllOrFail, budget, STACK_START_MS } from '../support/setup';
import { liftedLimits } from '../../local/tools/lifted-limits';

/**
 * 10,000 random frames across every action, invoked in-process on the same handler modules
 * the gateway routes to (the route is chosen from `action` as API Gateway does). No frame may
 * produce an internal error, a non-200 result or a reply that is not a protocol frame.
 */
type Handler = (event: WebSocketEvent) => Promise<WebSocketResult>;

const RUNS = 10_000;
/** One in-process handler invocation on a loaded box (about 2 ms on a quiet one). */
const INVOCATION_MS = 25;
let stack: LocalStack;
let customer: RawClient;
let conversationId = 'UNSET';
const handlers = new Map<string, Handler>();
const tally = { runs: 0, errors: new Map<string, number>(), replies: new Map<string, number>() };

beforeAllOrFail(async () => {
  stack = await startLocalStack({
    httpPort: 0,
    wsPort: 0,
    demo: true,
    env: liftedLimits(),
  });
  for (const route of WEBSOCKET_ROUTES) {
    if (route.routeKey.startsWith('$') && route.routeKey !== '$default') continue;
    handlers.set(route.routeKey, stack.websocketHandler(route.routeKey) as Handler);
  }
  // Staff tokens count only with a live session: sign the demo staff in and use their sessions.
  for (const identity of IDENTITIES) {
    if (identity.role === 'customer') continue;
    const login = await postJson(`${stack.httpUrl}/v1/auth/login`, { email: `${identity.email}`, password: 'parley-demo' });
    const claims = JSON.parse(Buffer.from(String(login.body.token).split('.')[1]!, 'base64url').toString('utf8')) as {
      sid: string;
      iat: number;
    };
    sessions.set(identity.userId, { sessionId: claims.sid, issuedAt: claims.iat, source: 'parley' });
  }
  customer = (await connectAndSync(stack, await guestToken(stack))).client;
  customer.send({ action: 'start', skill: 'billing', text: 'fuzz target', clientMsgId: 'f-0' });
  conversationId = ((await customer.nextOfType('conversation')).conversation as { id: string }).id;
}, STACK_START_MS + budget(7)); // the stack; 3 logins, guest token, connect+sync, start

afterAll(async () => {
  await customer?.close();
  await stack?.stop();
});

const IDENTITIES = [
  { userId: 'guest:fuzz-customer', role: 'customer', name: 'Fuzz', skills: '', email: '' },
  { userId: 'agent-tech', role: 'agent', name: 'Tess', skills: 'billing,tech', email: 'agent.tech@example.com' },
  { userId: 'supervisor', role: 'supervisor', name: 'Sue', skills: '', email: 'supervisor@example.com' },
  { userId: 'admin', role: 'admin', name: 'Root', skills: '', email: 'admin@example.com' },
];
/** The authorizer context a staff identity's session adds (sid, iat, issuer). */
const sessions = new Map<string, Record<string, string | number>>();
const ACTIONS = ['sync', 'heartbeat', 'start', 'message', 'typing', 'read', 'close', 'transfer', 'status', 'rate'];
const FIELDS = [
  'conversationId',
  'clientMsgId',
  'text',
  'seq',
  'skill',
  'status',
  'score',
  'comment',
  'reason',
  'toAgentId',
  'toSkill',
  'note',
  'cursors',
  'ts',
  'profile',
];

const value = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('billing', 'tech', 'online', 'away', 'agent-tech', 'x'.repeat(9000), '__proto__'),
  fc.constant('$conv'),
  fc.integer({ min: 0, max: 5 }),
  fc.anything({ maxDepth: 2, maxKeys: 3 }),
);

const structured = fc
  .record({
    action: fc.oneof(fc.constantFrom(...ACTIONS), fc.string({ maxLength: 12 }), fc.integer()),
    fields: fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 8 })), value, { maxKeys: 5 }),
  })
  .map(({ action, fields }) =>
    JSON.stringify({ ...fields, action })
      .split('"$conv"')
      .join(JSON.stringify(conversationId)),
  );

const body = fc.oneof(
  { weight: 6, arbitrary: structured },
  { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
);

function routeOf(text: string): string {
  try {
    const action = (JSON.parse(text) as { action?: unknown })?.action;
    return typeof action === 'string' && handlers.has(action) ? action : '$default';
  } catch {
    return '$default';
  }
}

describe('fuzz', () => {
  it(
    `${RUNS.toLocaleString('en')} random frames: no internal error, no crash`,
    async () => {
      await fc.assert(
        fc.asyncProperty(body, fc.constantFrom(...IDENTITIES), async (text, identity) => {
          const routeKey = routeOf(text);
          const { email: _email, ...context } = identity;
          // The stack's own handlers: invoked with its wiring, as its gateway invokes them.
          const result = await handlers.get(routeKey)!({
            body: text,
            requestContext: {
              connectionId: `fuzz-${identity.role}`,
              routeKey,
              authorizer: { ...context, ...sessions.get(identity.userId), expiresAt: Math.floor(Date.now() / 1000) + 600 },
            },
          });
          tally.runs++;
          expect(result.statusCode).toBe(200);
          if (result.body === undefined) return;
          const reply = JSON.parse(result.body) as { type: string; code?: string };
          expect(typeof reply.type).toBe('string');
          tally.replies.set(reply.type, (tally.replies.get(reply.type) ?? 0) + 1);
          if (reply.type === 'error') {
            tally.errors.set(reply.code!, (tally.errors.get(reply.code!) ?? 0) + 1);
            expect(['internal', 'unavailable']).not.toContain(reply.code);
          }
        }),
        { numRuns: RUNS, seed: 20_240_905, endOnFailure: true },
      );
      expect(tally.runs).toBe(RUNS);
      // The corpus reached the use cases, not just the parser: some frames were served (a
      // conversation, a sync) and some refused by an authorization check, past validation.
      expect(tally.replies.size).toBeGreaterThan(3);
      expect([...tally.replies.keys()]).toEqual(expect.arrayContaining(['error', 'pong', 'synced', 'conversation']));
      expect(tally.errors.get('forbidden') ?? 0).toBeGreaterThan(0);
      // The system still answers a real client.
      expect((await customer.request({ action: 'heartbeat', ts: 1 }, ['pong'])).ts).toBe(1);
      console.info(
        `fuzz replies ${JSON.stringify(Object.fromEntries(tally.replies))} errors ${JSON.stringify(Object.fromEntries(tally.errors))}`,
      );
    },
    RUNS * INVOCATION_MS + budget(1),
  );
});
