import { z } from 'zod';
import { listConversations, DEFAULT_PAGE, MAX_PAGE } from '../../services/history';
import { httpHandler } from '../shared/http';
import { validate } from '../shared/parse';

const query = z.strictObject({
  status: z.enum(['bot', 'queued', 'assigned', 'closed']).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(DEFAULT_PAGE),
});

export const handler = httpHandler({ name: 'list-conversations', authenticated: true }, async (ports, request, user) => {
  const { status, limit } = validate(query, request.query);
  return { body: { conversations: await listConversations(ports, user!, status, limit) } };
});
