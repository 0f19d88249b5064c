import * as z from '../../shared/zod';
import { login } from '../../services/auth';
import { httpHandler } from '../shared/http';

const loginBody = z.strictObject({
  email: z.email().check(z.maxLength(254)),
  password: z.string().check(z.minLength(1), z.maxLength(256)),
});

export const handler = httpHandler({ name: 'auth-login', body: loginBody, authenticated: false }, async (ports, request) => ({
  body: await login(ports, { ...request.body, sourceIp: request.sourceIp }),
}));
