import { z } from 'zod';
import { NotFoundError } from '../../domain/errors';
import { SKILL_PATTERN, USER_ID_PATTERN } from '../../domain/identity';

/** Bodies of the agent admin endpoints: strict, so unknown fields are refused. */
const skills = z
  .array(z.string().regex(SKILL_PATTERN, 'a skill is 1-32 of a-z, 0-9, _ and -, starting with a letter or digit'))
  .max(20)
  .transform((list) => [...new Set(list)]);
const fields = {
  email: z.email().max(254),
  name: z.string().trim().min(1).max(100),
  password: z.string().min(8).max(256),
  role: z.enum(['agent', 'supervisor', 'admin']),
  skills,
  capacity: z.number().int().min(1).max(50),
};

export const newAgentBody = z.strictObject({
  id: z.string().regex(USER_ID_PATTERN).optional(),
  ...fields,
  role: fields.role.default('agent'),
  skills: skills.default([]),
  capacity: fields.capacity.default(3),
});

export const agentChangesBody = z
  .strictObject({
    email: fields.email.optional(),
    name: fields.name.optional(),
    password: fields.password.optional(),
    role: fields.role.optional(),
    skills: skills.optional(),
    capacity: fields.capacity.optional(),
    /** True: the account cannot sign in and its tokens, sessions and sockets end; false enables it again. */
    disabled: z.boolean().optional(),
  })
  .refine((changes) => Object.values(changes).some((value) => value !== undefined), 'give at least one field to change');

/** The `{id}` path parameter; anything that cannot be an id names no agent. */
export function agentIdParam(params: Record<string, string | undefined>): string {
  const id = params.id ?? '';
  if (!USER_ID_PATTERN.test(id)) throw new NotFoundError(`Agent ${id} does not exist`);
  return id;
}
