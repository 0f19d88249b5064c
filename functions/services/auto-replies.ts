import {
  type AutoReplies,
  type AutoReplyMatch,
  AutoReplyMatcher,
  assertRulesUsable,
  DEFAULT_AUTO_REPLIES_SKILL,
} from '../domain/auto-replies';
import { BadRequestError, ForbiddenError } from '../domain/errors';
import { SKILL_PATTERN, type User } from '../domain/identity';
import type { Ports } from './context';
import { assertSkillConfigured } from './skills';

/** What the admin API answers: a skill's settings and where they come from. */
export interface AutoRepliesView {
  readonly skill: string;
  readonly autoReplies: AutoReplies;
  /** `skill`: its own; `_default`: none of its own, the default applies; `none`: nothing configured. */
  readonly source: 'skill' | '_default' | 'none';
  readonly updatedAt?: string;
  readonly updatedBy?: string;
}

/** The `{skill}` path parameter: a skill name or `_default`. */
export function autoRepliesSkill(value: string | undefined): string {
  if (value === DEFAULT_AUTO_REPLIES_SKILL || (value !== undefined && SKILL_PATTERN.test(value))) return value;
  throw new BadRequestError('skill must be a skill name (1-32 of a-z, 0-9, _ and -) or _default');
}

function assertCanRead(user: User): void {
  if (user.role !== 'supervisor' && user.role !== 'admin') throw new ForbiddenError('Only supervisors and admins read auto-replies');
}

/** The settings a skill runs with: its own, else `_default`'s, else none. */
async function effective(ports: Ports, skill: string): Promise<AutoRepliesView> {
  const own = await ports.autoReplies.get(skill);
  if (own) return { skill, autoReplies: own.autoReplies, source: 'skill', updatedAt: own.updatedAt, updatedBy: own.updatedBy };
  if (skill !== DEFAULT_AUTO_REPLIES_SKILL) {
    const fallback = await ports.autoReplies.get(DEFAULT_AUTO_REPLIES_SKILL);
    if (fallback) {
      return {
        skill,
        autoReplies: fallback.autoReplies,
        source: '_default',
        updatedAt: fallback.updatedAt,
        updatedBy: fallback.updatedBy,
      };
    }
  }
  return { skill, autoReplies: { rules: [] }, source: 'none' };
}

/** `GET /v1/skills/{skill}/auto-replies` (supervisors, admins). */
export async function getAutoReplies(ports: Ports, user: User, skill: string): Promise<AutoRepliesView> {
  assertCanRead(user);
  return effective(ports, skill);
}

/** `PUT /v1/skills/{skill}/auto-replies` (admins): validated whole (a bad body changes nothing), then replaced. */
export async function putAutoReplies(ports: Ports, user: User, skill: string, autoReplies: AutoReplies): Promise<AutoRepliesView> {
  if (user.role !== 'admin') throw new ForbiddenError('Only admins change auto-replies');
  if (skill !== DEFAULT_AUTO_REPLIES_SKILL) await assertSkillConfigured(ports, skill);
  assertRulesUsable(autoReplies);
  const updatedAt = ports.clock.now().toISOString();
  await ports.autoReplies.put({ skill, autoReplies, updatedAt, updatedBy: user.id });
  ports.log.info('Auto-replies saved', { skill, rules: autoReplies.rules.length });
  return { skill, autoReplies, source: 'skill', updatedAt, updatedBy: user.id };
}

export interface AutoReplyTrial {
  readonly question: string;
  readonly locale?: string | undefined;
  /** Unsaved settings to try; the skill's stored ones when absent. */
  readonly autoReplies?: AutoReplies | undefined;
}

/**
 * `POST /v1/skills/{skill}/auto-replies/test` (supervisors, admins): which rule would answer a
 * sample question, with the same matcher the bot runs (patterns in RE2 on the server: the
 * console cannot bundle re2-wasm).
 */
export async function tryAutoReplies(
  ports: Ports,
  user: User,
  skill: string,
  trial: AutoReplyTrial,
): Promise<{ match: AutoReplyMatch | null; welcome: string | null }> {
  assertCanRead(user);
  const settings = trial.autoReplies ?? (await effective(ports, skill)).autoReplies;
  if (trial.autoReplies) assertRulesUsable(settings);
  const matcher = new AutoReplyMatcher(settings);
  return { match: matcher.match(trial.question, trial.locale) ?? null, welcome: matcher.welcome(trial.locale, trial.question) ?? null };
}

/** The bot of a skill, or undefined when neither it nor `_default` has auto-replies (no extra work then). */
export async function botFor(ports: Ports, skill: string): Promise<AutoReplyMatcher | undefined> {
  const view = await effective(ports, skill);
  if (view.source === 'none') return undefined;
  return new AutoReplyMatcher(view.autoReplies);
}
