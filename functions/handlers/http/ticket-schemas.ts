import * as z from '../../shared/zod';
import { NotFoundError } from '../../domain/errors';
import { SKILL_PATTERN, USER_ID_PATTERN } from '../../domain/identity';
import { MAX_CLIENT_MSG_ID_CHARS } from '../../domain/message';
import { TICKET_STATES } from '../../domain/ticket';
import { TICKET_PAGE_DEFAULT, TICKET_PAGE_MAX } from '../../services/tickets';

const TICKET_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
// Visible characters only: the clientMsgId becomes part of an item key.
const clientMsgId = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(MAX_CLIENT_MSG_ID_CHARS),
    z.regex(/^[\x21-\x7E]+$/, 'clientMsgId must be printable ASCII without spaces'),
  );
// Coarse bound so a huge string is refused before the domain counts characters.
const text = z.string().check(z.maxLength(32 * 1024));
const state = z.enum(TICKET_STATES);

/** `POST /v1/tickets`: the offline form. */
export const newTicketBody = z.strictObject({
  skill: z.optional(z.string().check(z.regex(SKILL_PATTERN, 'skill is not a valid skill name'))),
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
  email: z.email().check(z.maxLength(254)),
  message: text,
  clientMsgId,
});

/** `GET /v1/tickets` query. */
export const ticketListQuery = z.strictObject({
  skill: z.optional(z.string().check(z.regex(SKILL_PATTERN, 'skill is not a valid skill name'))),
  state: z._default(state, 'open'),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
  limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(TICKET_PAGE_MAX)), TICKET_PAGE_DEFAULT),
});

/** `GET /v1/tickets/{id}` query. */
export const ticketReadQuery = z.strictObject({
  after: z._default(z.coerce.number().check(z.int(), z.nonnegative(), z.maximum(Number.MAX_SAFE_INTEGER)), 0),
});

/** `PUT /v1/tickets/{id}`. */
export const ticketChangesBody = z.strictObject({
  state: z.optional(state),
  assigneeId: z.optional(z.nullable(z.string().check(z.regex(USER_ID_PATTERN, 'assigneeId is not a valid id')))),
});

/** `POST /v1/tickets/{id}/replies`. */
export const ticketReplyBody = z.strictObject({ text, clientMsgId });

export function ticketIdParam(params: Record<string, string | undefined>): string {
  const id = params.id ?? '';
  if (!TICKET_ID_PATTERN.test(id)) throw new NotFoundError(`Ticket ${id} does not exist`);
  return id;
}
