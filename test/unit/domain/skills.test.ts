import { describe, expect, it } from 'vitest';
import { firstUnconfigured, isConfiguredSkill, skillDeletionBlocker, unknownSkillError } from '../../../functions/domain/skills';

describe('configured skills', () => {
  it('accepts configured skills and the deployment default, nothing else', () => {
    expect(isConfiguredSkill('billing', ['billing', 'tech'], 'general')).toBe(true);
    expect(isConfiguredSkill('general', [], 'general')).toBe(true);
    expect(isConfiguredSkill('bilingg', ['billing', 'tech'], 'general')).toBe(false);
    expect(isConfiguredSkill('free-bitcoin-here', [], 'general')).toBe(false);
  });

  it('names the first unconfigured skill of a list', () => {
    expect(firstUnconfigured(['billing', 'general', 'tech'], ['billing', 'tech'], 'general')).toBeUndefined();
    expect(firstUnconfigured(['billing', 'bilingg', 'x'], ['billing'], 'general')).toBe('bilingg');
  });

  it('refuses with bad_request naming the skill', () => {
    const error = unknownSkillError('bilingg');
    expect(error.code).toBe('bad_request');
    expect(error.message).toContain('"bilingg"');
  });

  it('says what blocks a deletion: the agents (a few named) and the waiting conversations', () => {
    expect(skillDeletionBlocker('tech', { agentIds: [], waiting: 0 })).toBeUndefined();
    expect(skillDeletionBlocker('tech', { agentIds: ['a', 'b'], waiting: 0 })).toBe('Skill "tech" is in use: agents serve it (a, b)');
    expect(skillDeletionBlocker('tech', { agentIds: [], waiting: 2 })).toBe('Skill "tech" is in use: 2 conversations wait in it');
    expect(skillDeletionBlocker('tech', { agentIds: ['1', '2', '3', '4', '5', '6', '7'], waiting: 1 })).toBe(
      'Skill "tech" is in use: agents serve it (1, 2, 3, 4, 5 and 2 more); 1 conversation waits in it',
    );
  });
});
