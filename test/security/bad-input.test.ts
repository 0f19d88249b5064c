import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack';
import type { RawClient, Frame } from '../../local/tools/raw-client';
import { beforeAllOrFail, budget, STACK_START_MS } from '../support/setup';
import { connectAndSync, guestToken, settled, storedItems } from './support';
import { liftedLimits } from '../../local/tools/lifted-limits';

/**
 * The bad-input corpus: each case is sent to the running system and must be answered with
 * its error code while the table stays exactly as it was.
 */
let stack: LocalStack;
let customer: RawClient;
let conversationId: string;

beforeAllOrFail(
  async () => {
    stack = await startLocalStack({
      httpPort: 0,
      wsPort: 0,
      demo: true,
      env: liftedLimits(),
    });
    customer = (await connectAndSync(stack, await guestToken(stack))).client;
    customer.send({ action: 'start', skill: 'billing', text: 'first', clientMsgId: 'setup-1' });
    conversationId = ((await customer.nextOfType('conversation')).conversation as { id: string }).id;
    await settled(stack, undefined, budget(3)); // routing answers the start in the background
  },
  STACK_START_MS + budget(1 + 3 + 2, budget(3)),
); // the stack; guest token, connect+sync, start; settling

afterAll(async () => {
  await customer?.close();
  await stack?.stop();
});

const deep = (levels: number): unknown => Array.from({ length: levels }).reduce<unknown>((inner) => ({ a: inner }), 1);
const message = (fields: Record<string, unknown>) => ({ action: 'message', clientMsgId: 'bad-1', text: 'hello', ...fields });
const CONV = '$conv'; // replaced by the open conversation's id
const note = (fields: Record<string, unknown>) => ({
  action: 'note',
  conversationId: CONV,
  clientMsgId: 'bad-note',
  text: 'internal',
  ...fields,
});

type Case = readonly [name: string, frame: string | Record<string, unknown>, code: string];

const WS_CASES: readonly Case[] = [
  ['not JSON', 'hello there', 'bad_request'],
  ['truncated JSON', '{"action":"message","text":"hi"', 'bad_request'],
  ['JSON with a byte-order mark', '\uFEFF{"action":"sync"}', 'bad_request'],
  ['a JSON array', '[{"action":"sync"}]', 'bad_request'],
  ['a JSON string', '"sync"', 'bad_request'],
  ['a JSON number', '42', 'bad_request'],
  ['JSON null', 'null', 'bad_request'],
  ['an empty object', {}, 'bad_request'],
  ['action is a number', { action: 7 }, 'bad_request'],
  ['action is an object', { action: { name: 'message' } }, 'bad_request'],
  ['unknown action', { action: 'delete_everything' }, 'unknown_action'],
  ['empty action', { action: '' }, 'unknown_action'],
  ['action in upper case', { action: 'MESSAGE', clientMsgId: 'x', text: 'hi' }, 'unknown_action'],
  ['message without clientMsgId', { action: 'message', text: 'hi' }, 'bad_request'],
  ['message without text', { action: 'message', clientMsgId: 'x' }, 'bad_request'],
  ['text is a number', message({ text: 12 }), 'bad_request'],
  ['text is null', message({ text: null }), 'bad_request'],
  ['text is an array', message({ text: ['hi'] }), 'bad_request'],
  ['text is empty', message({ text: '' }), 'bad_request'],
  ['text is only whitespace', message({ text: ' \n\t ' }), 'bad_request'],
  ['text one character over 8,000', message({ text: 'x'.repeat(8001) }), 'too_large'],
  ['text of 20,000 characters', message({ text: 'y'.repeat(20_000) }), 'too_large'],
  ['8,001 emoji (code points, not UTF-16 units)', message({ text: '😀'.repeat(8001) }), 'too_large'],
  ['text with a NUL character', message({ text: 'hi\u0000there' }), 'bad_request'],
  ['text with an escape character', message({ text: '\u001b[31mred' }), 'bad_request'],
  ['text with a C1 control', message({ text: 'next\u0085line' }), 'bad_request'],
  ['text with DEL', message({ text: 'del\u007f' }), 'bad_request'],
  ['text with a lone high surrogate', message({ text: 'broken \uD83D here' }), 'bad_request'],
  ['text with a lone low surrogate', message({ text: '\uDE00 broken' }), 'bad_request'],
  ['empty clientMsgId', message({ clientMsgId: '' }), 'bad_request'],
  ['clientMsgId of 65 characters', message({ clientMsgId: 'c'.repeat(65) }), 'bad_request'],
  ['clientMsgId is a number', message({ clientMsgId: 5 }), 'bad_request'],
  ['clientMsgId with a control character', message({ clientMsgId: 'id\u0007' }), 'bad_request'],
  ['an unknown field', message({ html: '<b>hi</b>' }), 'bad_request'],
  ['an unknown field named like a claim', message({ role: 'admin' }), 'bad_request'],
  ['conversationId with path characters', message({ conversationId: '../../etc/passwd' }), 'bad_request'],
  ['conversationId of 65 characters', message({ conversationId: 'a'.repeat(65) }), 'bad_request'],
  ['conversationId is an object', message({ conversationId: { $ne: null } }), 'bad_request'],
  ['conversationId that does not exist', message({ conversationId: 'NOPE0000000000000000000000' }), 'not_found'],
  ['__proto__ key', '{"action":"message","clientMsgId":"p1","text":"hi","__proto__":{"role":"admin"}}', 'bad_request'],
  ['nested __proto__ key', '{"action":"start","profile":{"__proto__":{"isAdmin":true}}}', 'bad_request'],
  ['constructor key', { action: 'message', clientMsgId: 'p2', text: 'hi', constructor: { prototype: { x: 1 } } }, 'bad_request'],
  ['prototype key in cursors', { action: 'sync', cursors: { prototype: 1 } }, 'bad_request'],
  ['a key with a control character', { action: 'message', clientMsgId: 'k', text: 'hi', 'te\u0000xt': 'x' }, 'bad_request'],
  ['deep nesting (200 levels)', message({ extra: deep(200) }), 'bad_request'],
  ['deep nesting inside profile', { action: 'start', profile: deep(12) as Record<string, unknown> }, 'bad_request'],
  ['read: seq is 1e308', { action: 'read', conversationId: CONV, seq: 1e308 }, 'bad_request'],
  ['read: seq above 2^53', { action: 'read', conversationId: CONV, seq: 2 ** 53 + 2 }, 'bad_request'],
  ['read: seq is negative', { action: 'read', conversationId: CONV, seq: -1 }, 'bad_request'],
  ['read: seq is fractional', { action: 'read', conversationId: CONV, seq: 1.5 }, 'bad_request'],
  ['read: seq is a string', { action: 'read', conversationId: CONV, seq: '1' }, 'bad_request'],
  ['read without conversationId', { action: 'read', seq: 1 }, 'bad_request'],
  ['typing with an unknown field', { action: 'typing', conversationId: CONV, text: 'hi' }, 'bad_request'],
  ['close: reason of 501 characters', { action: 'close', conversationId: CONV, reason: 'r'.repeat(501) }, 'bad_request'],
  ['close: reason is a number', { action: 'close', conversationId: CONV, reason: 3 }, 'bad_request'],
  ['rate: score 0', { action: 'rate', conversationId: CONV, score: 0 }, 'bad_request'],
  ['rate: score 6', { action: 'rate', conversationId: CONV, score: 6 }, 'bad_request'],
  ['rate: score 4.5', { action: 'rate', conversationId: CONV, score: 4.5 }, 'bad_request'],
  ['rate: score is a string', { action: 'rate', conversationId: CONV, score: '5' }, 'bad_request'],
  ['rate: comment of 2,001 characters', { action: 'rate', conversationId: CONV, score: 5, comment: 'c'.repeat(2001) }, 'too_large'],
  ['transfer with both targets', { action: 'transfer', conversationId: CONV, toAgentId: 'agent-tech', toSkill: 'tech' }, 'bad_request'],
  ['transfer with no target', { action: 'transfer', conversationId: CONV }, 'bad_request'],
  ['status not in the list', { action: 'status', status: 'busy' }, 'bad_request'],
  ['start: skill in upper case', { action: 'start', skill: 'BILLING' }, 'bad_request'],
  ['start: skill of 40 characters', { action: 'start', skill: 's'.repeat(40) }, 'bad_request'],
  ['start: profile email invalid', { action: 'start', profile: { email: 'not-an-email' } }, 'bad_request'],
  ['start: profile with an unknown field', { action: 'start', profile: { name: 'Ann', admin: true } }, 'bad_request'],
  ['start: profile name empty', { action: 'start', profile: { name: '   ' } }, 'bad_request'],
  ['sync: cursors is an array', { action: 'sync', cursors: [1, 2] }, 'bad_request'],
  ['sync: cursor id invalid', { action: 'sync', cursors: { 'bad id!': 1 } }, 'bad_request'],
  ['sync: cursor negative', { action: 'sync', cursors: { [CONV]: -5 } }, 'bad_request'],
  ['heartbeat: ts is an object', { action: 'heartbeat', ts: { now: 1 } }, 'bad_request'],
  ['heartbeat: ts string of 65 characters', { action: 'heartbeat', ts: 't'.repeat(65) }, 'bad_request'],
  // Issue 10: internal notes (checked before who may write them, so a customer meets the same errors).
  ['note: empty text', note({ text: '' }), 'bad_request'],
  ['note: text only whitespace', note({ text: ' \n ' }), 'bad_request'],
  ['note: text one character over 8,000', note({ text: 'x'.repeat(8001) }), 'too_large'],
  ['note: without clientMsgId', { action: 'note', conversationId: CONV, text: 'hi' }, 'bad_request'],
  ['note: empty clientMsgId', note({ clientMsgId: '' }), 'bad_request'],
  ['note: clientMsgId of 65 characters', note({ clientMsgId: 'c'.repeat(65) }), 'bad_request'],
  ['note: without conversationId', { action: 'note', clientMsgId: 'n', text: 'hi' }, 'bad_request'],
  ['note: an unknown field', note({ internal: false }), 'bad_request'],
  ['note: text with a control character', note({ text: 'a\u0007b' }), 'bad_request'],
  ['sync: noteCursors is an array', { action: 'sync', noteCursors: [1] }, 'bad_request'],
  ['sync: note cursor negative', { action: 'sync', noteCursors: { [CONV]: -1 } }, 'bad_request'],
];

const REPLY_TYPES = ['error', 'ack', 'pong', 'session', 'conversation', 'read', 'closed', 'rated', 'status', 'transferred'];

function withConversation(frame: string | Record<string, unknown>): string {
  const text = typeof frame === 'string' ? frame : JSON.stringify(frame);
  return text.split(CONV).join(conversationId);
}

describe(`bad frames over the WebSocket (${WS_CASES.length} cases)`, () => {
  it.each(WS_CASES)('%s → %s', async (_name, frame, code) => {
    const before = await storedItems(stack);
    expect(before.length).toBeGreaterThan(0); // the open conversation and its message: "unchanged" compares something
    customer.send(withConversation(frame));
    const reply: Frame = await customer.next((candidate) => REPLY_TYPES.includes(candidate.type));
    expect(reply).toMatchObject({ type: 'error', code });
    expect(typeof reply.message).toBe('string');
    expect(await storedItems(stack)).toEqual(before);
  });

  it('a frame over 32 KB closes the connection with 1009 and stores nothing', async () => {
    const before = await storedItems(stack);
    const client = (await connectAndSync(stack, await guestToken(stack))).client;
    client.send(message({ text: 'z'.repeat(40 * 1024) }));
    expect(await client.waitForClose()).toBe(1009);
    expect(await storedItems(stack)).toEqual(before);
  });
});

type HttpCase = readonly [name: string, method: 'GET' | 'POST', path: string, body: string | undefined, status: number, code: string];

const HTTP_CASES: readonly HttpCase[] = [
  ['guest: not JSON', 'POST', '/v1/auth/guest', 'name=Ann', 400, 'bad_request'],
  ['guest: empty body', 'POST', '/v1/auth/guest', '', 400, 'bad_request'],
  ['guest: a JSON array', 'POST', '/v1/auth/guest', '[]', 400, 'bad_request'],
  ['guest: unknown field', 'POST', '/v1/auth/guest', '{"name":"Ann","role":"admin"}', 400, 'bad_request'],
  ['guest: name is a number', 'POST', '/v1/auth/guest', '{"name":5}', 400, 'bad_request'],
  ['guest: name of 101 characters', 'POST', '/v1/auth/guest', JSON.stringify({ name: 'n'.repeat(101) }), 400, 'bad_request'],
  ['guest: invalid email', 'POST', '/v1/auth/guest', '{"email":"ann@"}', 400, 'bad_request'],
  ['guest: __proto__ key', 'POST', '/v1/auth/guest', '{"__proto__":{"role":"admin"}}', 400, 'bad_request'],
  ['guest: name with a NUL', 'POST', '/v1/auth/guest', '{"name":"A\\u0000nn"}', 400, 'bad_request'],
  ['guest: name with a lone surrogate', 'POST', '/v1/auth/guest', '{"name":"A\\ud800"}', 400, 'bad_request'],
  ['login: missing password', 'POST', '/v1/auth/login', '{"email":"agent.tech@example.com"}', 400, 'bad_request'],
  [
    'login: password of 257 characters',
    'POST',
    '/v1/auth/login',
    JSON.stringify({ email: 'a@example.com', password: 'p'.repeat(257) }),
    400,
    'bad_request',
  ],
  ['login: email is an object', 'POST', '/v1/auth/login', '{"email":{"$gt":""},"password":"x"}', 400, 'bad_request'],
  [
    'login: deep nesting',
    'POST',
    '/v1/auth/login',
    JSON.stringify({ email: 'a@example.com', password: 'x', extra: deep(50) }),
    400,
    'bad_request',
  ],
  ['conversations: no token', 'GET', '/v1/conversations', undefined, 401, 'unauthorized'],
  ['conversations: malformed Authorization', 'GET', '/v1/conversations', undefined, 401, 'unauthorized'],
];

describe(`bad HTTP requests (${HTTP_CASES.length} cases)`, () => {
  it.each(HTTP_CASES)('%s → %i %s', async (name, method, path, body, status, code) => {
    const before = await storedItems(stack);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (name.includes('malformed Authorization')) headers.authorization = 'Token abc';
    const response = await fetch(`${stack.httpUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error: { code } });
    expect(await storedItems(stack)).toEqual(before);
  });
});

describe('text is stored exactly as given', () => {
  it('markup, quotes and emoji come back byte for byte (clients render text, never HTML)', async () => {
    const text = '<img src=x onerror=alert(1)> "quoted" & \'single\' 😀 ﷽\nsecond line';
    customer.send({ action: 'message', clientMsgId: 'verbatim-1', text });
    expect(await customer.next((frame) => frame.type === 'ack' || frame.type === 'error')).toMatchObject({ type: 'ack' });
    const history = await fetch(`${stack.httpUrl}/v1/conversations/${conversationId}/messages`, {
      headers: { authorization: `Bearer ${await guestToken(stack)}` },
    });
    // Another customer may not read it...
    expect(history.status).toBe(403);
    customer.send({ action: 'sync', cursors: { [conversationId]: 0 } });
    const replayed = await customer.next((frame) => frame.type === 'message' && frame.clientMsgId === 'verbatim-1');
    expect(replayed.text).toBe(text);
  });
});
