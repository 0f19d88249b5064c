import { BadRequestError } from './errors';

/** A skill's display names: English always, Simplified Chinese when given. */
export interface SkillNames {
  readonly en: string;
  readonly 'zh-CN'?: string | undefined;
}

/** A skill an admin configured (`PUT /v1/skills/{skill}`): only these are started, served and transferred to. */
export interface ConfiguredSkill {
  readonly id: string;
  readonly names: SkillNames;
}

/** The longest display name (in characters): a table cell and a picker option, not a paragraph. */
export const SKILL_NAME_MAX = 60;

/**
 * Whether `skill` may be used: configured by an admin, or the deployment's default skill
 * (DEFAULT_SKILL), which a `start` without a skill uses and which therefore always exists.
 */
export function isConfiguredSkill(skill: string, configured: Iterable<string>, defaultSkill: string): boolean {
  if (skill === defaultSkill) return true;
  for (const id of configured) if (id === skill) return true;
  return false;
}

/** The refusal for a skill nobody configured, naming it (a typo shows at once instead of queueing forever). */
export function unknownSkillError(skill: string): BadRequestError {
  return new BadRequestError(`Skill "${skill}" is not configured; an admin adds skills with PUT /v1/skills/{skill}`);
}

/** The first skill of `skills` that is not configured, if any. */
export function firstUnconfigured(skills: Iterable<string>, configured: Iterable<string>, defaultSkill: string): string | undefined {
  const known = new Set(configured);
  for (const skill of skills) if (!isConfiguredSkill(skill, known, defaultSkill)) return skill;
  return undefined;
}

/** What keeps a skill from being deleted: agents serving it and conversations waiting in it. */
export interface SkillUse {
  readonly agentIds: readonly string[];
  readonly waiting: number;
}

/** Why a skill cannot be deleted now, or undefined when nothing uses it. */
export function skillDeletionBlocker(skill: string, use: SkillUse): string | undefined {
  const reasons: string[] = [];
  if (use.agentIds.length > 0) {
    const shown = use.agentIds.slice(0, 5).join(', ');
    const more = use.agentIds.length > 5 ? ` and ${use.agentIds.length - 5} more` : '';
    reasons.push(`agents serve it (${shown}${more})`);
  }
  if (use.waiting > 0) reasons.push(`${use.waiting} conversation${use.waiting === 1 ? '' : 's'} wait${use.waiting === 1 ? 's' : ''} in it`);
  return reasons.length > 0 ? `Skill "${skill}" is in use: ${reasons.join('; ')}` : undefined;
}
