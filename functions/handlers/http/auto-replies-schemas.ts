import * as z from '../../shared/zod';
import { autoRepliesSchema } from '../../domain/auto-replies';
import { MAX_TEXT_CHARS } from '../../domain/message';

/** `PUT /v1/skills/{skill}/auto-replies`: strict, limits in domain/auto-replies.ts. */
export const autoRepliesBody = autoRepliesSchema;

/** `POST /v1/skills/{skill}/auto-replies/test`: a sample question, against unsaved settings or the stored ones. */
export const autoRepliesTrialBody = z.strictObject({
  question: z.string().check(z.minLength(1), z.maxLength(MAX_TEXT_CHARS)),
  locale: z.optional(
    z.string().check(z.regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/, 'locale must be a BCP 47 tag such as en or zh-CN')),
  ),
  autoReplies: z.optional(autoRepliesSchema),
});
