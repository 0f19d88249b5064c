import type { BusinessHours } from '../domain/business-hours';
import { ForbiddenError, NotFoundError } from '../domain/errors';
import { SKILL_PATTERN, type User } from '../domain/identity';
import { DEFAULT_HOURS_SKILL } from './availability';
import type { Ports } from './context';
import { assertSkillConfigured } from './skills';

/** The `{skill}` of the hours routes: a skill name or `_default`; anything else names nothing. */
export function hoursSkillParam(params: Record<string, string | undefined>): string {
  const skill = params.skill ?? '';
  if (skill !== DEFAULT_HOURS_SKILL && !SKILL_PATTERN.test(skill)) throw new NotFoundError(`Skill ${skill} does not exist`);
  return skill;
}

export interface HoursView {
  readonly skill: string;
  /** Null when the skill has no hours of its own (the default's, or always open, apply). */
  readonly hours: BusinessHours | null;
}

/** `GET /v1/skills/{skill}/hours`: supervisors and admins. */
export async function getHours(ports: Ports, user: User, skill: string): Promise<HoursView> {
  if (user.role !== 'supervisor' && user.role !== 'admin') throw new ForbiddenError('Only supervisors and admins see business hours');
  return { skill, hours: (await ports.hours.get(skill)) ?? null };
}

/** `PUT /v1/skills/{skill}/hours`: admins; the body was validated whole before anything is written. */
export async function putHours(ports: Ports, user: User, skill: string, hours: BusinessHours): Promise<HoursView> {
  if (user.role !== 'admin') throw new ForbiddenError('Only admins change business hours');
  if (skill !== DEFAULT_HOURS_SKILL) await assertSkillConfigured(ports, skill);
  await ports.hours.put(skill, hours, { by: user.id, now: ports.clock.now().toISOString() });
  ports.log.info('Business hours changed', { skill, by: user.id });
  return { skill, hours };
}
