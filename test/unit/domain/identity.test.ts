import { describe, expect, it } from 'vitest';
import { SITE_USER_PREFIX } from '../../../functions/adapters/jwt/claims';
import {
  CUSTOMER_ID_PREFIXES,
  GUEST_ID_PREFIX,
  oidcIdPrefixProblem,
  staffIdProblem,
  SYSTEM_ID,
  SYSTEM_SENDER,
} from '../../../functions/domain/identity';
import { loadConfig } from '../../../functions/config';

describe('staff ids stay out of the customer and OIDC namespaces', () => {
  it('knows the prefixes the issuers really use', () => {
    expect(CUSTOMER_ID_PREFIXES).toContain(GUEST_ID_PREFIX);
    expect(CUSTOMER_ID_PREFIXES).toContain(SITE_USER_PREFIX);
    expect(SYSTEM_SENDER.id).toBe(SYSTEM_ID);
  });

  it.each(['guest:01JABC', 'site:42', 'system', 'GUEST:x', 'Site:abc', 'SYSTEM', 'bot', 'Bot'])('refuses %s', (id) => {
    expect(staffIdProblem(id, [])).toMatch(/customers|reserved/);
  });

  it('refuses ids inside an OIDC issuer namespace, whatever the case', () => {
    expect(staffIdProblem('okta:ann', ['okta:'])).toMatch(/OIDC issuer/);
    expect(staffIdProblem('OKTA:ann', ['okta:'])).toMatch(/OIDC issuer/);
    expect(staffIdProblem('okta-ann', ['okta:'])).toBeUndefined();
  });

  it.each(['agent-tess', 'admin', 'supervisor', 'systems-team', 'guest', 'guests-desk', 'site-lead', 'bots-team'])('accepts %s', (id) => {
    expect(staffIdProblem(id, ['okta:'])).toBeUndefined();
  });

  it.each(['guest:', 'guest:x', 'site:', 'gu', 'g', 'SITE', 's', 'sys', 'system', 'System', 'b', 'bo', 'bot'])(
    'refuses the OIDC idPrefix %s',
    (prefix) => {
      expect(oidcIdPrefixProblem(prefix)).toBeDefined();
    },
  );

  it.each(['okta:', 'entra:', 'sso-', 'systemx:', 'sitex:'])('accepts the OIDC idPrefix %s', (prefix) => {
    expect(oidcIdPrefixProblem(prefix)).toBeUndefined();
  });

  it('refuses such an idPrefix at cold start with a clear message', () => {
    const issuer = { issuer: 'https://idp.example', audience: 'parley', jwksUrl: 'https://idp.example/jwks', algorithms: ['RS256'] };
    const base = {
      TABLE_NAME: 't',
      ROUTING_QUEUE_URL: 'https://q.example',
      WS_CALLBACK_URL: 'https://ws.example',
      SIGNING_KEYS_SECRET_ID: 's',
      VERIFICATION_KEYS_SECRET_ID: 'v',
      UPSTASH_SECRET_ID: 'u',
    };
    expect(() => loadConfig({ ...base, OIDC_ISSUERS: JSON.stringify([{ ...issuer, idPrefix: 'site:' }]) })).toThrow(/OIDC_ISSUERS/);
    expect(loadConfig({ ...base, OIDC_ISSUERS: JSON.stringify([{ ...issuer, idPrefix: 'okta:' }]) }).OIDC_ISSUERS).toContain('okta:');
  });
});
