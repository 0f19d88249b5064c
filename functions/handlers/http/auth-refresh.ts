import * as z from '../../shared/zod';
import { refreshStaffSession } from '../../services/staff-sessions';
import { httpHandler } from '../shared/http';

export const refreshBody = z.strictObject({ refreshToken: z.string().check(z.minLength(1), z.maxLength(256)) });

/** A new access token and a new (rotated) refresh token for a live staff session. */
export const handler = httpHandler({ name: 'auth-refresh', body: refreshBody, authenticated: false }, async (ports, request) => ({
  body: await refreshStaffSession(ports, request.body.refreshToken),
}));
