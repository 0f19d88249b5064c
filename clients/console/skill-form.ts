import type { SkillRow } from '../web/http-api';

/** The server's skill id rule (functions/domain/identity.ts SKILL_PATTERN), checked before asking it. */
const SKILL_ID = /^[a-z0-9][a-z0-9_-]{0,31}$/;
/** The longest display name the server takes (functions/domain/skills.ts SKILL_NAME_MAX). */
export const SKILL_NAME_MAX = 60;

/** What the Skills form sends, or why it cannot: a bad id (the server would answer "does not exist"). */
export type SkillFormResult =
  | { readonly ok: true; readonly id: string; readonly names: SkillRow['names'] }
  | { readonly ok: false; readonly problem: 'badId'; readonly id: string };

/** Reads the form's fields: trimmed, the Chinese name left out when empty. */
export function readSkillForm(fields: { readonly id: string; readonly en: string; readonly zh: string }): SkillFormResult {
  const id = fields.id.trim();
  if (!SKILL_ID.test(id)) return { ok: false, problem: 'badId', id };
  const zh = fields.zh.trim();
  return { ok: true, id, names: { en: fields.en.trim(), ...(zh ? { 'zh-CN': zh } : {}) } };
}

/** How a skill row reads in the admin's language (the English name when there is no Chinese one). */
export function skillDisplayName(skill: SkillRow, locale: string): string {
  return (locale === 'zh-CN' ? skill.names['zh-CN'] : undefined) ?? skill.names.en;
}

/** Whether the row offers Delete: the deployment's default skill cannot be deleted. */
export function canDeleteSkill(skill: SkillRow): boolean {
  return skill.default !== true;
}
