import { describe, expect, it } from 'vitest';
import { configSchema, loadConfig, parseRateLimit } from '../../../functions/config';
import {
  httpIpLimitChecks,
  httpUserLimitChecks,
  isLimitedHttpRoute,
  isLimitedWebSocketRoute,
  LIMIT_RULE_NAMES,
  LIMIT_RULES,
  MAX_SYNC_CURSORS,
  SESSION_CONVERSATION_LIMIT,
  UNLIMITED_WEBSOCKET_ROUTES,
  websocketLimitChecks,
} from '../../../functions/domain/limits';
import { HTTP_ROUTES, WEBSOCKET_ROUTES } from '../../../functions/routes';

const subjects = { userId: 'guest:u1', connectionId: 'conn-1', ip: '198.51.100.7' };

describe('the limit table', () => {
  it('covers every WebSocket route but the two that do no client-driven work, and every HTTP route', () => {
    for (const route of WEBSOCKET_ROUTES) {
      const exempt = (UNLIMITED_WEBSOCKET_ROUTES as readonly string[]).includes(route.routeKey);
      expect(isLimitedWebSocketRoute(route.routeKey), route.routeKey).toBe(!exempt);
      // Every limited route can reach Redis.
      if (!exempt) expect(route.needs.upstash, route.routeKey).toBe(true);
    }
    // Limits are per operation (the handler module), also where routes share a group's function.
    for (const route of HTTP_ROUTES) {
      expect(isLimitedHttpRoute(route.operation), route.operation).toBe(true);
      expect(route.operationNeeds.upstash, route.operation).toBe(true);
      expect(route.needs.upstash, route.name).toBe(true);
    }
  });

  it('names a real setting for every rule, each with a valid default', () => {
    const defaults = loadConfig({
      TABLE_NAME: 't',
      ROUTING_QUEUE_URL: 'https://q.example',
      WS_CALLBACK_URL: 'https://w.example',
      SIGNING_KEYS_SECRET_ID: 's',
      VERIFICATION_KEYS_SECRET_ID: 'v',
      UPSTASH_SECRET_ID: 'u',
    });
    for (const rule of LIMIT_RULE_NAMES) {
      const setting = LIMIT_RULES[rule].setting;
      expect(Object.keys(configSchema.shape), rule).toContain(setting);
      const { limit, windowSeconds } = parseRateLimit(defaults[setting as keyof typeof defaults] as string);
      expect(limit).toBeGreaterThan(0);
      expect(windowSeconds).toBeGreaterThan(0);
    }
  });

  it('fails closed on the costly rules and open on the cheap ones', () => {
    const closed = LIMIT_RULE_NAMES.filter((rule) => LIMIT_RULES[rule].failPolicy === 'closed').sort();
    expect(closed).toEqual(
      [
        'agentAdmin',
        'connectPerIp',
        'connectPerUser',
        'guestToken',
        'login',
        'settingsChange',
        'staffSession',
        'start',
        'transcript',
      ].sort(),
    );
  });

  it('counts messages per connection and per user, and a message that opens a conversation as a start too', () => {
    expect(websocketLimitChecks('message', { conversationId: 'c1' }, subjects)).toEqual([
      { rule: 'message', key: 'conn-1' },
      { rule: 'messagePerUser', key: 'guest:u1' },
    ]);
    expect(websocketLimitChecks('message', {}, subjects)).toEqual([
      { rule: 'message', key: 'conn-1' },
      { rule: 'messagePerUser', key: 'guest:u1' },
      { rule: 'start', key: 'guest:u1' },
    ]);
    expect(websocketLimitChecks('start', {}, subjects)).toEqual([{ rule: 'start', key: 'guest:u1' }]);
  });

  it('counts $connect per IP and per user, other actions per user', () => {
    expect(websocketLimitChecks('$connect', {}, subjects)).toEqual([
      { rule: 'connectPerIp', key: '198.51.100.7' },
      { rule: 'connectPerUser', key: 'guest:u1' },
    ]);
    for (const action of ['typing', 'read', 'sync', 'heartbeat', 'close', 'status', 'transfer', 'rate']) {
      const checks = websocketLimitChecks(action, {}, subjects);
      expect(checks, action).toHaveLength(1);
      expect(checks[0]?.key, action).toBe('guest:u1');
    }
    expect(websocketLimitChecks('$default', {}, subjects)).toEqual([]);
  });

  it('refuses to pool callers when a key is missing', () => {
    expect(() => websocketLimitChecks('$connect', {}, { userId: 'u' })).toThrow(/per ip/);
  });

  it('counts unauthenticated endpoints per IP before anything else, the rest per user', () => {
    for (const name of ['auth-guest', 'auth-login', 'auth-refresh', 'auth-logout']) {
      expect(httpIpLimitChecks(name, '203.0.113.1'), name).toHaveLength(1);
      expect(httpUserLimitChecks(name, 'u'), name).toEqual([]);
    }
    expect(httpIpLimitChecks('auth-refresh', '203.0.113.1')).toEqual([{ rule: 'staffSession', key: '203.0.113.1' }]);
    expect(httpUserLimitChecks('agents-create', 'admin')).toEqual([{ rule: 'agentAdmin', key: 'admin' }]);
    expect(httpIpLimitChecks('agents-create', '203.0.113.1')).toEqual([]);
  });

  it('allows a sync twice the session list in cursors', () => {
    expect(MAX_SYNC_CURSORS).toBe(2 * SESSION_CONVERSATION_LIMIT);
  });
});
