import { z } from 'zod';
import { login } from '../../services/auth';
import { httpHandler } from '../shared/http';

const loginBody = z.strictObject({
  email: z.email().max(254),
  password: z.string().min(1).max(256),
});

export const handler = httpHandler({ name: 'auth-login', body: loginBody, authenticated: false }, async (ports, request) => ({
  body: await login(ports, { ...request.body, sourceIp: request.sourceIp }),
}));
