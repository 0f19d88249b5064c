import { ConflictError, ForbiddenError, NotFoundError } from '../domain/errors';
import { isStaff, SKILL_PATTERN, type User } from '../domain/identity';
import { firstUnconfigured, skillDeletionBlocker, unknownSkillError, type ConfiguredSkill, type SkillNames } from '../domain/skills';
import type { Ports } from './context';

/** A skill as `GET /v1/skills` lists it; `default` marks the deployment's default skill (always there). */
export interface SkillView extends ConfiguredSkill {
  readonly default?: true;
}

/** Whether an admin configured `skill`; the deployment's default skill always is. */
export async function isSkillConfigured(ports: Pick<Ports, 'skills' | 'settings'>, skill: string): Promise<boolean> {
  return skill === ports.settings.defaultSkill || (await ports.skills.has(skill));
}

/** Refuses (`bad_request`, naming it) a skill no admin configured; the deployment's default skill always passes. */
export async function assertSkillConfigured(ports: Pick<Ports, 'skills' | 'settings'>, skill: string): Promise<void> {
  if (!(await isSkillConfigured(ports, skill))) throw unknownSkillError(skill);
}

/** Refuses the first of `skills` that is not configured (an agent's skill list). */
export async function assertSkillsConfigured(ports: Pick<Ports, 'skills' | 'settings'>, skills: readonly string[]): Promise<void> {
  const defaultSkill = ports.settings.defaultSkill;
  if (skills.every((skill) => skill === defaultSkill)) return;
  let unknown = firstUnconfigured(
    skills,
    (await ports.skills.list()).map((skill) => skill.id),
    defaultSkill,
  );
  // The list may be a cached copy from before an admin added the skill: ask once more.
  if (unknown !== undefined && (await ports.skills.has(unknown))) {
    unknown = firstUnconfigured(
      skills,
      (await ports.skills.list()).map((skill) => skill.id),
      defaultSkill,
    );
  }
  if (unknown !== undefined) throw unknownSkillError(unknown);
}

/** The `{skill}` path parameter of `/v1/skills/{skill}`; anything that cannot be a skill names none. */
export function skillParam(params: Record<string, string | undefined>): string {
  const skill = params.skill ?? '';
  if (!SKILL_PATTERN.test(skill)) throw new NotFoundError(`Skill ${skill} does not exist`);
  return skill;
}

/** `GET /v1/skills`: every staff member (the console's pickers); the default skill first when not configured. */
export async function listSkills(ports: Ports, user: User): Promise<SkillView[]> {
  if (!isStaff(user)) throw new ForbiddenError('Only staff see the configured skills');
  const configured = await ports.skills.list();
  const defaultSkill = ports.settings.defaultSkill;
  const views: SkillView[] = configured.map(({ id, names }) => (id === defaultSkill ? { id, names, default: true } : { id, names }));
  if (!configured.some((skill) => skill.id === defaultSkill))
    views.unshift({ id: defaultSkill, names: { en: defaultSkill }, default: true });
  return views;
}

/** `PUT /v1/skills/{skill}`: admins create a skill or rename it. */
export async function putSkill(ports: Ports, user: User, skill: string, names: SkillNames): Promise<SkillView> {
  if (user.role !== 'admin') throw new ForbiddenError('Only admins configure skills');
  await ports.skills.put({ id: skill, names, updatedAt: ports.clock.now().toISOString(), updatedBy: user.id });
  ports.log.info('Skill configured', { skill, by: user.id });
  return skill === ports.settings.defaultSkill ? { id: skill, names, default: true } : { id: skill, names };
}

/**
 * `DELETE /v1/skills/{skill}`: admins; refused while agents serve it or conversations wait in
 * it (the refusal says which), and for the default skill, which a skill-less start uses.
 */
export async function deleteSkill(ports: Ports, user: User, skill: string): Promise<{ deleted: string }> {
  if (user.role !== 'admin') throw new ForbiddenError('Only admins configure skills');
  if (skill === ports.settings.defaultSkill)
    throw new ConflictError(`Skill "${skill}" is the deployment's default skill and cannot be deleted`);
  if (!(await ports.skills.has(skill))) throw new NotFoundError(`Skill ${skill} does not exist`);
  const [roster, waiting] = await Promise.all([ports.agents.list(), ports.conversations.countQueued(skill)]);
  const agentIds = roster.filter((agent) => agent.skills.includes(skill)).map((agent) => agent.id);
  const blocker = skillDeletionBlocker(skill, { agentIds, waiting });
  if (blocker) throw new ConflictError(blocker);
  await ports.skills.remove(skill);
  ports.log.info('Skill deleted', { skill, by: user.id });
  return { deleted: skill };
}
