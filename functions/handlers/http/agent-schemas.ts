import * as z from '../../shared/zod';
import { NotFoundError } from '../../domain/errors';
import { SKILL_PATTERN, USER_ID_PATTERN } from '../../domain/identity';

/** Bodies of the agent admin endpoints: strict, so unknown fields are refused. */
const skills = z.pipe(
  z
    .array(z.string().check(z.regex(SKILL_PATTERN, 'a skill is 1-32 of a-z, 0-9, _ and -, starting with a letter or digit')))
    .check(z.maxLength(20)),
  z.transform((list) => [...new Set(list)]),
);
const fields = {
  email: z.email().check(z.maxLength(254)),
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
  password: z.string().check(z.minLength(8), z.maxLength(256)),
  role: z.enum(['agent', 'supervisor', 'admin']),
  skills,
  capacity: z.number().check(z.int(), z.minimum(1), z.maximum(50)),
};

export const newAgentBody = z.strictObject({
  id: z.optional(z.string().check(z.regex(USER_ID_PATTERN))),
  ...fields,
  role: z._default(fields.role, 'agent'),
  skills: z._default(skills, []),
  capacity: z._default(fields.capacity, 3),
});

export const agentChangesBody = z
  .strictObject({
    email: z.optional(fields.email),
    name: z.optional(fields.name),
    password: z.optional(fields.password),
    role: z.optional(fields.role),
    skills: z.optional(skills),
    capacity: z.optional(fields.capacity),
    /** True: the account cannot sign in and its tokens, sessions and sockets end; false enables it again. */
    disabled: z.optional(z.boolean()),
  })
  .check(z.refine((changes) => Object.values(changes).some((value) => value !== undefined), 'give at least one field to change'));

/** The `{id}` path parameter; anything that cannot be an id names no agent. */
export function agentIdParam(params: Record<string, string | undefined>): string {
  const id = params.id ?? '';
  if (!USER_ID_PATTERN.test(id)) throw new NotFoundError(`Agent ${id} does not exist`);
  return id;
}
