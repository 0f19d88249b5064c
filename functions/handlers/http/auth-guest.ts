import { z } from 'zod';
import { issueGuestToken } from '../../services/auth';
import { httpHandler } from '../shared/http';

const guestBody = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  email: z.email().max(254).optional(),
});

export const handler = httpHandler({ name: 'auth-guest', body: guestBody, authenticated: false }, async (ports, request) => ({
  status: 201,
  body: await issueGuestToken(ports, request.body),
}));
