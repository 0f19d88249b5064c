import * as z from '../../shared/zod';
import { DEFAULT_PAGE, MAX_PAGE } from '../../services/history';
import { listCustomerConversations } from '../../services/customer-history';
import { httpHandler } from '../shared/http';
import { validate } from '../shared/parse';

const query = z.strictObject({
  limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(MAX_PAGE)), DEFAULT_PAGE),
  before: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'before must be a conversation id'))),
});

/** `GET /v1/customers/{id}/conversations`: the customer's conversations and tickets (the console's customer panel, the widget's previous conversations). */
export const handler = httpHandler({ name: 'customer-conversations', authenticated: true }, async (ports, request, user) => {
  const { limit, before } = validate(query, request.query);
  return { body: await listCustomerConversations(ports, user!, request.params.id ?? '', { limit, before }) };
});
