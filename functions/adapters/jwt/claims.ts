import * as z from '../../shared/zod';
import { customerAttrsProblem, type CustomerAttrs } from '../../domain/customer-context';
import { ROLES, SKILL_PATTERN, USER_ID_PATTERN } from '../../domain/identity';

const name = z.optional(z.string().check(z.maxLength(100)));
const skills = z.optional(z.array(z.string().check(z.regex(SKILL_PATTERN))).check(z.maxLength(50)));

/** Parley's own tokens (guest and login): every role, skills for agents. */
export const parleyClaims = z.object({
  sub: z.string().check(z.regex(USER_ID_PATTERN)),
  role: z.enum(ROLES),
  name,
  skills,
  /** The staff session (login tokens only). */
  sid: z.optional(z.string().check(z.regex(/^[0-9A-Za-z]{10,40}$/))),
  exp: z.number().check(z.int()),
  iat: z.number().check(z.int()),
});

/** Identified customers signed by the embedding site: always customers. `sub` gets a `site:` prefix. */
export const SITE_USER_PREFIX = 'site:';
export const identifiedCustomerClaims = z.object({
  sub: z.string().check(z.regex(/^[A-Za-z0-9_.:@-]{1,120}$/)),
  role: z.optional(z.literal('customer')),
  name,
  // Extension (issue 10): what staff see about the customer. A bad attrs claim refuses the token.
  email: z.optional(z.email().check(z.maxLength(254))),
  attrs: z.optional(z.custom<CustomerAttrs>((value) => customerAttrsProblem(value) === undefined, { message: 'attrs is not valid' })),
  exp: z.number().check(z.int()),
  iat: z.number().check(z.int()),
});

/** Staff from an OIDC issuer; the role claim is read separately (its name is configurable). */
export const oidcClaims = z.object({
  sub: z.string().check(z.regex(/^[A-Za-z0-9_.:@-]{1,96}$/)),
  name,
  skills,
  exp: z.number().check(z.int()),
  iat: z.number().check(z.int()),
});
