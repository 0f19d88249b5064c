import { z } from 'zod';
import { BadRequestError } from '../../domain/errors';
import { noteFrame } from '../../protocol/server-frames';
import { DEFAULT_PAGE, MAX_PAGE } from '../../services/history';
import { listNotes } from '../../services/notes';
import { httpHandler } from '../shared/http';
import { validate } from '../shared/parse';

const query = z.strictObject({
  after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(DEFAULT_PAGE),
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
