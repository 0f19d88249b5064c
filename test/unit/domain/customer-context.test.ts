import { describe, expect, it } from 'vitest';
import { customerAttrsProblem, pageUrlProblem, userAgentProblem } from '../../../functions/domain/customer-context';
import { maySeeCustomer, maySeeThroughConversation } from '../../../functions/domain/customer-history-authorization';
import type { User } from '../../../functions/domain/identity';
import { validate } from '../../../functions/handlers/shared/parse';
import { startFrame } from '../../../functions/protocol/client-frames';

const code = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return 'ok';
};
const start = (visitor: Record<string, unknown>) => () => validate(startFrame, { action: 'start', visitor });

describe('start.visitor: page, referrer and browser', () => {
  it('accepts http(s) pages and referrers up to 2,000 characters and trims the user agent', () => {
    const parsed = validate(startFrame, {
      action: 'start',
      visitor: {
        locale: 'zh-CN',
        page: 'https://shop.example/cart?x=1',
        referrer: 'http://search.example/?q=parley',
        userAgent: '  Mozilla/5.0 (X11; Linux x86_64)  ',
      },
    });
    expect(parsed.visitor).toEqual({
      locale: 'zh-CN',
      page: 'https://shop.example/cart?x=1',
      referrer: 'http://search.example/?q=parley',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
    });
    expect(code(start({ page: `https://shop.example/${'a'.repeat(2000 - 'https://shop.example/'.length)}` }))).toBe('ok');
  });

  it.each([
    ['a javascript: page', { page: 'javascript:alert(1)' }],
    ['a data: referrer', { referrer: 'data:text/html,<b>x</b>' }],
    ['a relative page', { page: '/cart' }],
    ['a page over 2,000 characters', { page: `https://shop.example/${'a'.repeat(2000)}` }],
    ['a page with a control character', { page: 'https://shop.example/\u0000' }],
    ['a user agent over 300 characters', { userAgent: 'M'.repeat(301) }],
    ['a blank user agent', { userAgent: '   ' }],
    ['a user agent with a newline', { userAgent: 'Mozilla\nInjected: yes' }],
    ['a page that is not a string', { page: 42 }],
    ['an unknown visitor field', { ip: '1.2.3.4' }],
  ])('refuses %s as bad_request', (_name, visitor) => {
    expect(code(start(visitor))).toBe('bad_request');
  });

  it('names the field and the rule in the refusal', () => {
    expect(() => validate(startFrame, { action: 'start', visitor: { page: 'ftp://x.example/' } })).toThrow(
      /visitor\.page: must be an http or https URL/,
    );
    expect(pageUrlProblem('https://ok.example/')).toBeUndefined();
    expect(userAgentProblem('x'.repeat(300))).toBeUndefined();
  });
});

describe('the identified-customer attrs claim', () => {
  it('accepts up to 20 keys of strings (up to 200 characters), numbers and booleans', () => {
    const twenty = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i % 2 ? 'x'.repeat(200) : i]));
    expect(customerAttrsProblem(twenty)).toBeUndefined();
    expect(customerAttrsProblem({ plan: 'gold', seats: 12, vip: true, a_B9: '' })).toBeUndefined();
  });

  it.each([
    ['not an object', 'gold', /object/],
    ['an array', ['gold'], /object/],
    ['null', null, /object/],
    ['21 keys', Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 1])), /at most 20 keys/],
    ['a key starting with a digit', { '1plan': 'x' }, /key "1plan"/],
    ['a key with a dash', { 'a-b': 'x' }, /key "a-b"/],
    ['a key over 32 characters', { ['k'.repeat(33)]: 'x' }, /must match/],
    ['a __proto__ key', JSON.parse('{"__proto__": "x"}'), /key "__proto__"/],
    ['a string over 200 characters', { note: 'x'.repeat(201) }, /attrs.note must be at most 200/],
    ['a nested object', { address: { city: 'x' } }, /string, number or boolean/],
    ['null value', { plan: null }, /string, number or boolean/],
  ])('refuses %s', (_name, attrs, message) => {
    expect(customerAttrsProblem(attrs)).toMatch(message);
  });
});

describe('who may see a customer and their past conversations', () => {
  const user = (role: User['role'], id: string, skills: string[] = []): User => ({ id, role, name: id, skills });
  const past = { customer: { id: 'guest:c', name: 'C' }, skill: 'tech', agent: { id: 'a1', name: 'A1' } };

  it('supervisors and admins always; the customer only themself', () => {
    expect(maySeeCustomer(user('supervisor', 's'), 'guest:c', [])).toBe(true);
    expect(maySeeCustomer(user('admin', 'ad'), 'guest:c', [])).toBe(true);
    expect(maySeeCustomer(user('customer', 'guest:c'), 'guest:c', [])).toBe(true);
    expect(maySeeCustomer(user('customer', 'guest:d'), 'guest:c', [past])).toBe(false);
  });

  it('an agent assigned to one of the conversations, or serving its skill', () => {
    expect(maySeeCustomer(user('agent', 'a1'), 'guest:c', [past])).toBe(true);
    expect(maySeeCustomer(user('agent', 'a2', ['tech']), 'guest:c', [past])).toBe(true);
    expect(maySeeCustomer(user('agent', 'a3', ['billing']), 'guest:c', [past])).toBe(false);
    expect(maySeeCustomer(user('agent', 'a3', ['billing']), 'guest:c', [])).toBe(false);
    // A conversation of someone else never vouches for this customer.
    expect(maySeeCustomer(user('agent', 'a1'), 'guest:other', [past])).toBe(false);
    expect(maySeeThroughConversation(user('agent', 'a2', ['tech']), past)).toBe(true);
  });
});
