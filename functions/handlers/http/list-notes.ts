import * as z from '../../shared/zod';
import { BadRequestError } from '../../domain/errors';
import { noteFrame } from '../../protocol/server-frames';
import { DEFAULT_PAGE, MAX_PAGE } from '../../services/history';
import { listNotes } from '../../services/notes';
import { httpHandler } from '../shared/http';
import { validate } from '../shared/parse';

const query = z.strictObject({
  after: z._default(z.coerce.number().check(z.int(), z.minimum(0), z.maximum(Number.MAX_SAFE_INTEGER)), 0),
  limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(MAX_PAGE)), DEFAULT_PAGE),
});

/** Extension (issue 10): a conversation's internal notes, for staff who may view it. */
export const handler = httpHandler({ name: 'list-notes', authenticated: true }, async (ports, request, user) => {
  const conversationId = request.params.id;
  if (!conversationId || !/^[A-Za-z0-9_-]{1,64}$/.test(conversationId)) throw new BadRequestError('Not a conversation id');
  const { after, limit } = validate(query, request.query);
  const page = await listNotes(ports, { user: user! }, conversationId, after, limit);
  // Notes use the WebSocket `note` frame's shape, without `type`.
  const notes = page.notes.map((note) => {
    const { type: _type, ...rest } = noteFrame(note);
    return rest;
  });
  return { body: { conversationId, notes, more: page.more } };
});
