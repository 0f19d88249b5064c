import { z } from 'zod';
import { NotFoundError } from '../../domain/errors';
import { SKILL_PATTERN, USER_ID_PATTERN } from '../../domain/identity';
import { MAX_CLIENT_MSG_ID_CHARS } from '../../domain/message';
import { TICKET_STATES } from '../../domain/ticket';
import { TICKET_PAGE_DEFAULT, TICKET_PAGE_MAX } from '../../services/tickets';

const TICKET_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
// Visible characters only: the clientMsgId becomes part of an item key.
const clientMsgId = z
  .string()
  .min(1)
  .max(MAX_CLIENT_MSG_ID_CHARS)
  .regex(/^[\x21-\x7E]+$/, 'clientMsgId must be printable ASCII without spaces');
// Coarse bound so a huge string is refused before the domain counts characters.
const text = z.string().max(32 * 1024);
const state = z.enum(TICKET_STATES);

/** `POST /v1/tickets`: the offline form. */
export const newTicketBody = z.strictObject({
  skill: z.string().regex(SKILL_PATTERN, 'skill is not a valid skill name').optional(),
  name: z.string().trim().min(1).max(100),
  email: z.email().max(254),
  message: text,
  clientMsgId,
});

/** `GET /v1/tickets` query. */
export const ticketListQuery = z.strictObject({
  skill: z.string().regex(SKILL_PATTERN, 'skill is not a valid skill name').optional(),
  state: state.default('open'),
  cursor: z.string().min(1).max(2048).optional(),
  limit: z.coerce.number().int().min(1).max(TICKET_PAGE_MAX).default(TICKET_PAGE_DEFAULT),
});

/** `GET /v1/tickets/{id}` query. */
export const ticketReadQuery = z.strictObject({
  after: z.coerce.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).default(0),
});

/** `PUT /v1/tickets/{id}`. */
export const ticketChangesBody = z.strictObject({
  state: state.optional(),
  assigneeId: z.string().regex(USER_ID_PATTERN, 'assigneeId is not a valid id').nullable().optional(),
});

/** `POST /v1/tickets/{id}/replies`. */
export const ticketReplyBody = z.strictObject({ text, clientMsgId });

export function ticketIdParam(params: Record<string, string | undefined>): string {
  const id = params.id ?? '';
  if (!TICKET_ID_PATTERN.test(id)) throw new NotFoundError(`Ticket ${id} does not exist`);
  return id;
}
