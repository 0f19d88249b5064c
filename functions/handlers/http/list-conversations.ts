import * as z from '../../shared/zod';
import { listConversations, DEFAULT_PAGE, MAX_PAGE } from '../../services/history';
import { httpHandler } from '../shared/http';
import { validate } from '../shared/parse';

const query = z.strictObject({
  status: z.optional(z.enum(['bot', 'queued', 'assigned', 'closed'])),
  limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(MAX_PAGE)), DEFAULT_PAGE),
});

export const handler = httpHandler({ name: 'list-conversations', authenticated: true }, async (ports, request, user) => {
  const { status, limit } = validate(query, request.query);
  return { body: { conversations: await listConversations(ports, user!, status, limit) } };
});
