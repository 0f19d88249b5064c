import type { ConfiguredSkill } from '../domain/skills';

/** A configured skill as stored, with who changed it last. */
export interface StoredSkill extends ConfiguredSkill {
  readonly updatedAt: string;
  readonly updatedBy: string;
}

/**
 * The configured skills. DynamoDB: one item per skill in the fixed `SKILLS` partition
 * (sort key `SKILL#<id>`), so the whole list is one Query and one skill one GetItem.
 */
export interface SkillStore {
  /** Every configured skill, ordered by id. */
  list(): Promise<StoredSkill[]>;
  /** Whether `skill` is configured (a cached store may answer from its copy of the list). */
  has(skill: string): Promise<boolean>;
  put(skill: StoredSkill): Promise<void>;
  /** Removes the skill; nothing when it does not exist. */
  remove(skill: string): Promise<void>;
}
