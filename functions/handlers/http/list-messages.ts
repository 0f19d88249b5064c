import * as z from '../../shared/zod';
import { BadRequestError } from '../../domain/errors';
import { messageFrame } from '../../protocol/server-frames';
import { DEFAULT_PAGE, MAX_PAGE, listMessages } from '../../services/history';
import { httpHandler } from '../shared/http';
import { validate } from '../shared/parse';

const query = z.strictObject({
  after: z._default(z.coerce.number().check(z.int(), z.minimum(0), z.maximum(Number.MAX_SAFE_INTEGER)), 0),
  limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(MAX_PAGE)), DEFAULT_PAGE),
});

export const handler = httpHandler({ name: 'list-messages', authenticated: true }, async (ports, request, user) => {
  const conversationId = request.params.id;
  if (!conversationId || !/^[A-Za-z0-9_-]{1,64}$/.test(conversationId)) throw new BadRequestError('Not a conversation id');
  const { after, limit } = validate(query, request.query);
  const page = await listMessages(ports, user!, conversationId, after, limit);
  // Messages use the same shape as the WebSocket `message` frame, without `type`.
  const messages = page.messages.map((message) => {
    const { type: _type, ...rest } = messageFrame(message) as { type: string };
    return rest;
  });
  return { body: { conversationId, messages, more: page.more } };
});
