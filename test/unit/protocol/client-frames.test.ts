import { describe, expect, it } from 'vitest';
import { messageFrame, readFrame, startFrame, syncFrame, transferFrame } from '../../../functions/protocol/client-frames';
import { parseJsonObject, validate } from '../../../functions/handlers/shared/parse';

const code = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return 'ok';
};

describe('client frame validation', () => {
  it('accepts well-formed frames', () => {
    expect(validate(messageFrame, { action: 'message', clientMsgId: 'c1', text: 'hi' })).toEqual({
      action: 'message',
      clientMsgId: 'c1',
      text: 'hi',
    });
    expect(code(() => validate(syncFrame, { action: 'sync', cursors: { '01J00000000000000000000000': 4 } }))).toBe('ok');
    expect(code(() => validate(startFrame, { action: 'start', skill: 'billing', profile: { name: 'Ann' } }))).toBe('ok');
  });

  it('refuses unknown fields, including __proto__ and constructor keys', () => {
    expect(code(() => validate(messageFrame, { action: 'message', clientMsgId: 'c', text: 't', extra: 1 }))).toBe('bad_request');
    expect(
      code(() => validate(messageFrame, parseJsonObject('{"action":"message","clientMsgId":"c","text":"t","__proto__":{"x":1}}', 'f'))),
    ).toBe('bad_request');
    expect(code(() => validate(startFrame, { action: 'start', constructor: 'x' }))).toBe('bad_request');
  });

  it('refuses wrong types and out-of-range values', () => {
    expect(code(() => validate(readFrame, { action: 'read', conversationId: 'c1', seq: -1 }))).toBe('bad_request');
    expect(code(() => validate(readFrame, { action: 'read', conversationId: 'c1', seq: 1.5 }))).toBe('bad_request');
    expect(code(() => validate(readFrame, { action: 'read', conversationId: 'c1', seq: 1e300 }))).toBe('bad_request');
    expect(code(() => validate(messageFrame, { action: 'message', clientMsgId: '', text: 'x' }))).toBe('bad_request');
    expect(code(() => validate(messageFrame, { action: 'message', clientMsgId: 'x'.repeat(65), text: 'x' }))).toBe('bad_request');
    expect(code(() => validate(messageFrame, { action: 'message', clientMsgId: 'c', text: 5 }))).toBe('bad_request');
    // Issue 14: a cursor is a seq (0 before any message) and names a conversation.
    expect(code(() => validate(messageFrame, { action: 'message', conversationId: 'c1', clientMsgId: 'c', text: 't', cursor: 0 }))).toBe(
      'ok',
    );
    expect(code(() => validate(messageFrame, { action: 'message', conversationId: 'c1', clientMsgId: 'c', text: 't', cursor: -1 }))).toBe(
      'bad_request',
    );
    expect(code(() => validate(messageFrame, { action: 'message', conversationId: 'c1', clientMsgId: 'c', text: 't', cursor: 2.5 }))).toBe(
      'bad_request',
    );
    expect(code(() => validate(messageFrame, { action: 'message', clientMsgId: 'c', text: 't', cursor: 3 }))).toBe('bad_request');
  });

  it('answers oversized text with too_large', () => {
    expect(code(() => validate(messageFrame, { action: 'message', clientMsgId: 'c', text: 'x'.repeat(40_000) }))).toBe('too_large');
  });

  it('needs exactly one transfer target', () => {
    expect(code(() => validate(transferFrame, { action: 'transfer', conversationId: 'c1' }))).toBe('bad_request');
    expect(code(() => validate(transferFrame, { action: 'transfer', conversationId: 'c1', toAgentId: 'a', toSkill: 'tech' }))).toBe(
      'bad_request',
    );
    expect(code(() => validate(transferFrame, { action: 'transfer', conversationId: 'c1', toSkill: 'tech' }))).toBe('ok');
  });

  it('refuses non-JSON and non-object frames', () => {
    expect(code(() => parseJsonObject('not json', 'f'))).toBe('bad_request');
    expect(code(() => parseJsonObject('[1,2]', 'f'))).toBe('bad_request');
    expect(code(() => parseJsonObject('', 'f'))).toBe('bad_request');
  });
});
