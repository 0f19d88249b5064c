import * as z from '../../shared/zod';
import { issueGuestToken } from '../../services/auth';
import { httpHandler } from '../shared/http';

const guestBody = z.strictObject({
  name: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(100))),
  email: z.optional(z.email().check(z.maxLength(254))),
});

export const handler = httpHandler({ name: 'auth-guest', body: guestBody, authenticated: false }, async (ports, request) => ({
  status: 201,
  body: await issueGuestToken(ports, request.body),
}));
