import { z } from 'zod';
import { SKILL_NAME_MAX } from '../../domain/skills';

const displayName = z.string().trim().min(1).max(SKILL_NAME_MAX);

/** `PUT /v1/skills/{skill}`: the display names (English required, Simplified Chinese optional). */
export const skillBody = z.strictObject({
  names: z.strictObject({ en: displayName, 'zh-CN': displayName.optional() }),
});
