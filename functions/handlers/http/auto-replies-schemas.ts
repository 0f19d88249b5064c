import { z } from 'zod';
import { autoRepliesSchema } from '../../domain/auto-replies';
import { MAX_TEXT_CHARS } from '../../domain/message';

/** `PUT /v1/skills/{skill}/auto-replies`: strict, limits in domain/auto-replies.ts. */
export const autoRepliesBody = autoRepliesSchema;

/** `POST /v1/skills/{skill}/auto-replies/test`: a sample question, against unsaved settings or the stored ones. */
export const autoRepliesTrialBody = z.strictObject({
  question: z.string().min(1).max(MAX_TEXT_CHARS),
  locale: z
    .string()
    .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/, 'locale must be a BCP 47 tag such as en or zh-CN')
    .optional(),
  autoReplies: autoRepliesSchema.optional(),
});
