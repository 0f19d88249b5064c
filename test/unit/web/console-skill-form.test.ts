import { describe, expect, it } from 'vitest';
import { canDeleteSkill, readSkillForm, skillDisplayName } from '../../../clients/console/skill-form';
import { SKILL_PATTERN } from '../../../functions/domain/identity';

describe('the Skills settings form', () => {
  it('sends trimmed names, the Chinese one only when given', () => {
    expect(readSkillForm({ id: ' billing ', en: ' Billing ', zh: ' 账单 ' })).toEqual({
      ok: true,
      id: 'billing',
      names: { en: 'Billing', 'zh-CN': '账单' },
    });
    expect(readSkillForm({ id: 'vip', en: 'VIP', zh: '  ' })).toEqual({ ok: true, id: 'vip', names: { en: 'VIP' } });
  });

  it("refuses an id the server's skill pattern refuses, before asking it", () => {
    for (const id of ['', 'Billing', '-x', 'a b', 'x'.repeat(33), 'café', '_default']) {
      expect(readSkillForm({ id, en: 'Name', zh: '' })).toEqual({ ok: false, problem: 'badId', id: id.trim() });
      expect(SKILL_PATTERN.test(id.trim())).toBe(false);
    }
    for (const id of ['a', 'tech-2', 'x'.repeat(32), '0_a']) {
      expect(readSkillForm({ id, en: 'Name', zh: '' }).ok).toBe(true);
      expect(SKILL_PATTERN.test(id)).toBe(true);
    }
  });

  it("names a skill in the admin's language, English when it has no Chinese name; the default skill cannot be deleted", () => {
    const billing = { id: 'billing', names: { en: 'Billing', 'zh-CN': '账单' } };
    const general = { id: 'general', names: { en: 'general' }, default: true };
    expect(skillDisplayName(billing, 'zh-CN')).toBe('账单');
    expect(skillDisplayName(billing, 'en')).toBe('Billing');
    expect(skillDisplayName(general, 'zh-CN')).toBe('general');
    expect(canDeleteSkill(billing)).toBe(true);
    expect(canDeleteSkill(general)).toBe(false);
  });
});
