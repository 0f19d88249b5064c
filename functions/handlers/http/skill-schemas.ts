import * as z from '../../shared/zod';
import { SKILL_NAME_MAX } from '../../domain/skills';

const displayName = z.string().check(z.trim(), z.minLength(1), z.maxLength(SKILL_NAME_MAX));

/** `PUT /v1/skills/{skill}`: the display names (English required, Simplified Chinese optional). */
export const skillBody = z.strictObject({
  names: z.strictObject({ en: displayName, 'zh-CN': z.optional(displayName) }),
});
