import { describe, expect, it } from 'vitest';
import {
  assertPlaceholdersKnown,
  type CannedResponse,
  cannedResponseBodySchema,
  cannedResponseId,
  visibleCannedResponses,
} from '../../../functions/domain/canned-responses';
import { fillPlaceholders, matchCanned, unknownPlaceholders } from '../../../functions/domain/canned-text';
import type { User } from '../../../functions/domain/identity';

const body = { shortcut: 'hello', title: 'Greeting', text: 'Hello {customer.name}!' };
const problem = (input: unknown) => {
  const parsed = cannedResponseBodySchema.safeParse(input);
  return parsed.success ? undefined : parsed.error.issues.map((issue) => issue.message).join('; ');
};

describe('a canned response on save', () => {
  it('takes a shortcut, a title, a text and optionally a skill', () => {
    expect(problem(body)).toBeUndefined();
    expect(problem({ ...body, skill: 'billing' })).toBeUndefined();
    expect(problem({ ...body, shortcut: 'a'.repeat(32) })).toBeUndefined();
    expect(problem({ ...body, title: '题'.repeat(80), text: '字'.repeat(2000) })).toBeUndefined();
  });

  it.each([
    [{ ...body, shortcut: 'Hello' }, 'shortcut must be 1-32'],
    [{ ...body, shortcut: '-hi' }, 'shortcut must be 1-32'],
    [{ ...body, shortcut: 'a'.repeat(33) }, 'shortcut must be 1-32'],
    [{ ...body, shortcut: 'hi there' }, 'shortcut must be 1-32'],
    [{ ...body, title: ' ' }, 'title must not be empty'],
    [{ ...body, title: 'x'.repeat(81) }, 'title must be at most 80 characters'],
    [{ ...body, text: '字'.repeat(2001) }, 'text must be at most 2000 characters'],
    [{ ...body, skill: 'Billing!' }, 'skill must be a skill name'],
    [{ ...body, colour: 'red' }, 'Unrecognized key'],
  ])('refuses %j', (input, message) => {
    expect(problem(input)).toContain(message);
  });

  it('refuses unknown placeholders, naming each', () => {
    expect(() => assertPlaceholdersKnown(body)).not.toThrow();
    expect(() => assertPlaceholdersKnown({ ...body, text: 'Hi {customer.name}, {agent.name} ({customer.email})' })).not.toThrow();
    expect(() => assertPlaceholdersKnown({ ...body, text: 'Hi {customer.phone} {order.id} {customer.phone}' })).toThrow(
      'unknown placeholders {customer.phone}, {order.id}',
    );
    // Braces that do not read as a placeholder are text.
    expect(unknownPlaceholders('a { b } c {} {1x} {{customer.name}}')).toEqual([]);
  });

  it('takes ids of letters, digits, - and _', () => {
    expect(cannedResponseId('greeting_1')).toBe('greeting_1');
    expect(() => cannedResponseId('a/b')).toThrow('1-64 letters');
    expect(() => cannedResponseId(undefined)).toThrow('1-64 letters');
  });
});

describe('filling placeholders', () => {
  it('fills known values and leaves the unknown ones where they are, reported', () => {
    const filled = fillPlaceholders('Hello {customer.name}, I am {agent.name}. Mail: {customer.email}', {
      'customer.name': 'Ann',
      'agent.name': 'Billie',
    });
    expect(filled.text).toBe('Hello Ann, I am Billie. Mail: {customer.email}');
    expect(filled.unfilled).toEqual([{ start: 30, end: 46 }]);
    expect(filled.text.slice(30, 46)).toBe('{customer.email}');
  });

  it('a blank value is not a value', () => {
    expect(fillPlaceholders('Hi {customer.name}!', { 'customer.name': '  ' })).toEqual({
      text: 'Hi {customer.name}!',
      unfilled: [{ start: 3, end: 18 }],
    });
  });

  it('fills Chinese text without spaces', () => {
    expect(fillPlaceholders('{customer.name}您好！我是{agent.name}', { 'customer.name': '王先生', 'agent.name': '小李' }).text).toBe(
      '王先生您好！我是小李',
    );
  });
});

describe('matching what the agent typed', () => {
  const entries = [
    { shortcut: 'bye', title: 'Goodbye' },
    { shortcut: 'hello', title: 'Greeting' },
    { shortcut: 'say-hello', title: 'Another greeting' },
    { shortcut: 'refund', title: 'Refund timing' },
    { shortcut: 'nihao', title: '问候' },
  ];
  const shortcuts = (query: string) => matchCanned(entries, query).map((entry) => entry.shortcut);

  it('ranks shortcut prefix, then shortcut substring, then title', () => {
    expect(shortcuts('hel')).toEqual(['hello', 'say-hello']);
    expect(shortcuts('greet')).toEqual(['hello', 'say-hello']);
    expect(shortcuts('good')).toEqual(['bye']);
    expect(shortcuts('GOOD')).toEqual(['bye']);
    expect(shortcuts('问')).toEqual(['nihao']);
    expect(shortcuts('nothing')).toEqual([]);
  });

  it('an empty query lists everything in order', () => {
    expect(shortcuts('')).toEqual(entries.map((entry) => entry.shortcut));
  });
});

describe('who sees which', () => {
  const response = (id: string, shortcut: string, skill?: string): CannedResponse => ({
    id,
    shortcut,
    title: id,
    text: id,
    ...(skill ? { skill } : {}),
    updatedAt: '',
    updatedBy: 'admin',
  });
  const all = [response('t', 'tech', 'tech'), response('g2', 'b'), response('b', 'bill', 'billing'), response('g1', 'a')];
  const user = (role: User['role'], skills: string[] = []): User => ({ id: role, role, name: role, skills });
  const ids = (list: CannedResponse[]) => list.map((entry) => entry.id);

  it('agents: the global ones and their skills’, global first, by shortcut', () => {
    expect(ids(visibleCannedResponses(user('agent', ['billing']), all))).toEqual(['g1', 'g2', 'b']);
  });

  it('supervisors and admins: every one', () => {
    expect(ids(visibleCannedResponses(user('supervisor'), all))).toEqual(['g1', 'g2', 'b', 't']);
    expect(ids(visibleCannedResponses(user('admin'), all))).toEqual(['g1', 'g2', 'b', 't']);
  });

  it('a skill narrows to the global ones and that skill’s', () => {
    expect(ids(visibleCannedResponses(user('admin'), all, 'tech'))).toEqual(['g1', 'g2', 't']);
    expect(ids(visibleCannedResponses(user('agent', ['billing', 'tech']), all, 'billing'))).toEqual(['g1', 'g2', 'b']);
  });
});
