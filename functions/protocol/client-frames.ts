import { z } from 'zod';
import { ATTACHMENT_ID_PATTERN } from '../domain/attachment';
import { MAX_CLIENT_MSG_ID_CHARS } from '../domain/message';
import { SKILL_PATTERN, USER_ID_PATTERN } from '../domain/identity';
import { MAX_SYNC_CURSORS } from '../domain/limits';
import { pageUrlProblem, userAgentProblem } from '../domain/customer-context';

/**
 * Client frames of protocol v1, one strict schema per action: unknown fields are refused.
 * Text length is checked by the domain (it counts characters after trimming).
 */
const conversationId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'conversationId is not a valid id');
const clientMsgId = z.string().min(1).max(MAX_CLIENT_MSG_ID_CHARS);
const seq = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
// Coarse bound so a huge string is refused before the domain counts characters.
const text = z.string().max(32 * 1024);
// Extension (issue 10): the page and referrer staff see beside the chat (absolute http/https, at most 2,000 characters).
const pageUrl = z.string().check((ctx) => {
  const problem = pageUrlProblem(ctx.value);
  if (problem) ctx.issues.push({ code: 'custom', input: ctx.value, message: problem });
});
const userAgent = z
  .string()
  .max(1024)
  .check((ctx) => {
    const problem = userAgentProblem(ctx.value);
    if (problem) ctx.issues.push({ code: 'custom', input: ctx.value, message: problem });
  })
  .transform((value) => value.trim());
const skill = z.string().regex(SKILL_PATTERN, 'skill must be 1-32 of a-z, 0-9, _ and -, starting with a letter or digit');

export const syncFrame = z.strictObject({
  action: z.literal('sync'),
  cursors: z
    .record(conversationId, seq)
    .check((ctx) => {
      const count = Object.keys(ctx.value).length;
      if (count > MAX_SYNC_CURSORS) {
        ctx.issues.push({
          code: 'too_big',
          origin: 'object',
          maximum: MAX_SYNC_CURSORS,
          inclusive: true,
          input: ctx.value,
          message: `at most ${MAX_SYNC_CURSORS} cursors per sync (this one has ${count}); send the newest`,
        });
      }
    })
    .optional(),
  // Extension (issue 14): the backlog comes in `messages` frames (several messages each) instead of one `message` frame per message.
  batched: z.literal(true).optional(),
  // Extension (issue 10): staff ask for the internal notes after these note seqs (their own sequence).
  noteCursors: z
    .record(conversationId, seq)
    .check((ctx) => {
      const count = Object.keys(ctx.value).length;
      if (count > MAX_SYNC_CURSORS) {
        ctx.issues.push({
          code: 'too_big',
          origin: 'object',
          maximum: MAX_SYNC_CURSORS,
          inclusive: true,
          input: ctx.value,
          message: `at most ${MAX_SYNC_CURSORS} note cursors per sync (this one has ${count}); send the newest`,
        });
      }
    })
    .optional(),
});

export const heartbeatFrame = z.strictObject({
  action: z.literal('heartbeat'),
  ts: z.union([z.number(), z.string().max(64)]).optional(),
});

export const startFrame = z.strictObject({
  action: z.literal('start'),
  skill: skill.optional(),
  text: text.optional(),
  clientMsgId: clientMsgId.optional(),
  profile: z
    .strictObject({
      name: z.string().trim().min(1).max(100).optional(),
      email: z.email().max(254).optional(),
    })
    .optional(),
  // Extension (issue 9): where the visitor is, so notices (the off-hours reply) speak their language and time.
  visitor: z
    .strictObject({
      locale: z
        .string()
        .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/, 'locale must be a BCP 47 tag such as en or zh-CN')
        .optional(),
      timeZone: z.string().min(1).max(64).optional(),
      // Extension (issue 10): where the chat started, shown to staff in the customer panel.
      page: pageUrl.optional(),
      referrer: pageUrl.optional(),
      userAgent: userAgent.optional(),
    })
    .optional(),
});

export const messageFrame = z
  .strictObject({
    action: z.literal('message'),
    conversationId: conversationId.optional(),
    clientMsgId,
    // Optional only when an attachment is present.
    text: text.optional(),
    // Extension (issue 11): a file uploaded with a grant from POST /v1/attachments.
    attachment: z.strictObject({ id: z.string().regex(ATTACHMENT_ID_PATTERN, 'attachment.id is not an attachment id') }).optional(),
    // Extension (issue 14): the sender's cursor in the conversation when it FIRST sent this
    // clientMsgId (the highest seq it held with none missing), the same on every resend. It
    // replaces the server's clientMsgId record (docs/delivery.md "The message path's requests").
    cursor: seq.optional(),
  })
  .refine((frame) => frame.text !== undefined || frame.attachment !== undefined, { message: 'text is required without an attachment' })
  .refine((frame) => frame.cursor === undefined || frame.conversationId !== undefined, {
    message: 'cursor is only allowed with conversationId',
  });

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
  reason: z.string().max(500).optional(),
});

export const transferFrame = z
  .strictObject({
    action: z.literal('transfer'),
    conversationId,
    toAgentId: z.string().regex(USER_ID_PATTERN).optional(),
    toSkill: skill.optional(),
    note: z.string().max(2000).optional(),
  })
  .refine((frame) => (frame.toAgentId === undefined) !== (frame.toSkill === undefined), {
    message: 'give exactly one of toAgentId and toSkill',
  });

export const statusFrame = z.strictObject({
  action: z.literal('status'),
  status: z.enum(['online', 'away', 'offline']),
});

export const rateFrame = z.strictObject({
  action: z.literal('rate'),
  conversationId,
  score: z.number().int().min(1).max(5),
  comment: z.string().max(2000).optional(),
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
  email: z.email().max(254),
  name: z.string().trim().min(1).max(100).optional(),
});

export const transcriptFrame = z.strictObject({
  action: z.literal('transcript'),
  conversationId,
  email: z.email().max(254).optional(),
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
