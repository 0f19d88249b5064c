import * as z from '../shared/zod';
import { ATTACHMENT_ID_PATTERN } from '../domain/attachment';
import { MAX_CLIENT_MSG_ID_CHARS } from '../domain/message';
import { SKILL_PATTERN, USER_ID_PATTERN } from '../domain/identity';
import { MAX_SYNC_CURSORS } from '../domain/limits';
import { pageUrlProblem, userAgentProblem } from '../domain/customer-context';

/**
 * Client frames of protocol v1, one strict schema per action: unknown fields are refused.
 * Text length is checked by the domain (it counts characters after trimming).
 */
const conversationId = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'conversationId is not a valid id'));
const clientMsgId = z.string().check(z.minLength(1), z.maxLength(MAX_CLIENT_MSG_ID_CHARS));
const seq = z.number().check(z.int(), z.nonnegative(), z.maximum(Number.MAX_SAFE_INTEGER));
// Coarse bound so a huge string is refused before the domain counts characters.
const text = z.string().check(z.maxLength(32 * 1024));
// Extension (issue 10): the page and referrer staff see beside the chat (absolute http/https, at most 2,000 characters).
const pageUrl = z.string().check((ctx) => {
  const problem = pageUrlProblem(ctx.value);
  if (problem) ctx.issues.push({ code: 'custom', input: ctx.value, message: problem });
});
const userAgent = z.pipe(
  z.string().check(z.maxLength(1024), (ctx) => {
    const problem = userAgentProblem(ctx.value);
    if (problem) ctx.issues.push({ code: 'custom', input: ctx.value, message: problem });
  }),
  z.transform((value: string) => value.trim()),
);
const skill = z.string().check(z.regex(SKILL_PATTERN, 'skill must be 1-32 of a-z, 0-9, _ and -, starting with a letter or digit'));

/** At most MAX_SYNC_CURSORS entries in a cursor map (`what`: "cursors", "note cursors"). */
const cursorMap = (what: string) =>
  z.optional(
    z.record(conversationId, seq).check((ctx) => {
      const count = Object.keys(ctx.value).length;
      if (count > MAX_SYNC_CURSORS) {
        ctx.issues.push({
          code: 'too_big',
          origin: 'object',
          maximum: MAX_SYNC_CURSORS,
          inclusive: true,
          input: ctx.value,
          message: `at most ${MAX_SYNC_CURSORS} ${what} per sync (this one has ${count}); send the newest`,
        });
      }
    }),
  );

export const syncFrame = z.strictObject({
  action: z.literal('sync'),
  cursors: cursorMap('cursors'),
  // Extension (issue 14): the backlog comes in `messages` frames (several messages each) instead of one `message` frame per message.
  batched: z.optional(z.literal(true)),
  // Extension (issue 10): staff ask for the internal notes after these note seqs (their own sequence).
  noteCursors: cursorMap('note cursors'),
});

export const heartbeatFrame = z.strictObject({
  action: z.literal('heartbeat'),
  ts: z.optional(z.union([z.number(), z.string().check(z.maxLength(64))])),
});

const email = z.email().check(z.maxLength(254));
const name = z.string().check(z.trim(), z.minLength(1), z.maxLength(100));

export const startFrame = z.strictObject({
  action: z.literal('start'),
  skill: z.optional(skill),
  text: z.optional(text),
  clientMsgId: z.optional(clientMsgId),
  profile: z.optional(
    z.strictObject({
      name: z.optional(name),
      email: z.optional(email),
    }),
  ),
  // Extension (issue 9): where the visitor is, so notices (the off-hours reply) speak their language and time.
  visitor: z.optional(
    z.strictObject({
      locale: z.optional(
        z.string().check(z.regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/, 'locale must be a BCP 47 tag such as en or zh-CN')),
      ),
      timeZone: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
      // Extension (issue 10): where the chat started, shown to staff in the customer panel.
      page: z.optional(pageUrl),
      referrer: z.optional(pageUrl),
      userAgent: z.optional(userAgent),
    }),
  ),
});

export const messageFrame = z
  .strictObject({
    action: z.literal('message'),
    conversationId: z.optional(conversationId),
    clientMsgId,
    // Optional only when an attachment is present.
    text: z.optional(text),
    // Extension (issue 11): a file uploaded with a grant from POST /v1/attachments.
    attachment: z.optional(
      z.strictObject({ id: z.string().check(z.regex(ATTACHMENT_ID_PATTERN, 'attachment.id is not an attachment id')) }),
    ),
    // Extension (issue 14): the sender's cursor in the conversation when it FIRST sent this
    // clientMsgId (the highest seq it held with none missing), the same on every resend. It
    // replaces the server's clientMsgId record (docs/delivery.md "The message path's requests").
    cursor: z.optional(seq),
  })
  .check(
    z.refine((frame) => frame.text !== undefined || frame.attachment !== undefined, { message: 'text is required without an attachment' }),
    z.refine((frame) => frame.cursor === undefined || frame.conversationId !== undefined, {
      message: 'cursor is only allowed with conversationId',
    }),
  );

export const typingFrame = z.strictObject({
  action: z.literal('typing'),
  conversationId,
});

export const readFrame = z.strictObject({
  action: z.literal('read'),
  conversationId,
  seq,
});

export const closeFrame = z.strictObject({
  action: z.literal('close'),
  conversationId,
  reason: z.optional(z.string().check(z.maxLength(500))),
});

export const transferFrame = z
  .strictObject({
    action: z.literal('transfer'),
    conversationId,
    toAgentId: z.optional(z.string().check(z.regex(USER_ID_PATTERN))),
    toSkill: z.optional(skill),
    note: z.optional(z.string().check(z.maxLength(2000))),
  })
  .check(
    z.refine((frame) => (frame.toAgentId === undefined) !== (frame.toSkill === undefined), {
      message: 'give exactly one of toAgentId and toSkill',
    }),
  );

export const statusFrame = z.strictObject({
  action: z.literal('status'),
  status: z.enum(['online', 'away', 'offline']),
});

export const rateFrame = z.strictObject({
  action: z.literal('rate'),
  conversationId,
  score: z.number().check(z.int(), z.minimum(1), z.maximum(5)),
  comment: z.optional(z.string().check(z.maxLength(2000))),
});

// Extensions (issue 9): the customer leaves the first-line bot for a person, turns a waiting
// chat into an email ticket, or asks for the transcript by email.
export const handoffFrame = z.strictObject({
  action: z.literal('handoff'),
  conversationId,
});

export const ticketFrame = z.strictObject({
  action: z.literal('ticket'),
  conversationId,
  email,
  name: z.optional(name),
});

export const transcriptFrame = z.strictObject({
  action: z.literal('transcript'),
  conversationId,
  email: z.optional(email),
});

// Extension (issue 10): an internal note, for staff only; acknowledged like a message.
export const noteFrame = z.strictObject({
  action: z.literal('note'),
  conversationId,
  clientMsgId,
  text,
});

export type SyncFrame = z.infer<typeof syncFrame>;
export type HeartbeatFrame = z.infer<typeof heartbeatFrame>;
export type StartFrame = z.infer<typeof startFrame>;
export type MessageFrame = z.infer<typeof messageFrame>;
export type TypingFrame = z.infer<typeof typingFrame>;
export type ReadFrame = z.infer<typeof readFrame>;
export type CloseFrame = z.infer<typeof closeFrame>;
export type TransferFrame = z.infer<typeof transferFrame>;
export type StatusFrame = z.infer<typeof statusFrame>;
export type RateFrame = z.infer<typeof rateFrame>;
export type HandoffFrame = z.infer<typeof handoffFrame>;
export type TicketFrame = z.infer<typeof ticketFrame>;
export type TranscriptFrame = z.infer<typeof transcriptFrame>;
export type NoteFrame = z.infer<typeof noteFrame>;
