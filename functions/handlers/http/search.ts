import * as z from '../../shared/zod';
import { DEFAULT_SEARCH_PAGE, MAX_QUERY_CHARS, MAX_SEARCH_PAGE } from '../../domain/search';
import { searchConversations } from '../../services/search';
import { httpHandler } from '../shared/http';
import { validate } from '../shared/parse';

const query = z.strictObject({
  q: z.optional(z.string().check(z.maxLength(MAX_QUERY_CHARS))),
  customer: z.optional(z.string().check(z.maxLength(MAX_QUERY_CHARS))),
  cursor: z.optional(z.string().check(z.maxLength(400))),
  limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(MAX_SEARCH_PAGE)), DEFAULT_SEARCH_PAGE),
});

/**
 * Extension (issue 11): `GET /v1/search?q=...` (words in messages, a conversation id, a
 * customer's email or id) or `?customer=...` (email, id or name prefix), newest first, within
 * what the caller may see; `cursor` pages on (docs/search.md).
 */
export const handler = httpHandler({ name: 'search', authenticated: true }, async (ports, request, user) => {
  const { q, customer, cursor, limit } = validate(query, request.query);
  const page = await searchConversations(ports, { user: user! }, { q, customer, cursor, limit });
  return { body: page };
});
