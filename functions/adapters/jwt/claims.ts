import { z } from 'zod';
import { customerAttrsProblem, type CustomerAttrs } from '../../domain/customer-context';
import { ROLES, SKILL_PATTERN, USER_ID_PATTERN } from '../../domain/identity';

const name = z.string().max(100).optional();
const skills = z.array(z.string().regex(SKILL_PATTERN)).max(50).optional();

/** Parley's own tokens (guest and login): every role, skills for agents. */
export const parleyClaims = z.object({
  sub: z.string().regex(USER_ID_PATTERN),
  role: z.enum(ROLES),
  name,
  skills,
  /** The staff session (login tokens only). */
  sid: z
    .string()
    .regex(/^[0-9A-Za-z]{10,40}$/)
    .optional(),
  exp: z.number().int(),
  iat: z.number().int(),
});

/** Identified customers signed by the embedding site: always customers. `sub` gets a `site:` prefix. */
export const SITE_USER_PREFIX = 'site:';
export const identifiedCustomerClaims = z.object({
  sub: z.string().regex(/^[A-Za-z0-9_.:@-]{1,120}$/),
  role: z.literal('customer').optional(),
  name,
  // Extension (issue 10): what staff see about the customer. A bad attrs claim refuses the token.
  email: z.email().max(254).optional(),
  attrs: z.custom<CustomerAttrs>((value) => customerAttrsProblem(value) === undefined, { message: 'attrs is not valid' }).optional(),
  exp: z.number().int(),
  iat: z.number().int(),
});

/** Staff from an OIDC issuer; the role claim is read separately (its name is configurable). */
export const oidcClaims = z.object({
  sub: z.string().regex(/^[A-Za-z0-9_.:@-]{1,96}$/),
  name,
  skills,
  exp: z.number().int(),
  iat: z.number().int(),
});
