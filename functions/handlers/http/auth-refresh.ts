import { z } from 'zod';
import { refreshStaffSession } from '../../services/staff-sessions';
import { httpHandler } from '../shared/http';

export const refreshBody = z.strictObject({ refreshToken: z.string().min(1).max(256) });

/** A new access token and a new (rotated) refresh token for a live staff session. */
export const handler = httpHandler({ name: 'auth-refresh', body: refreshBody, authenticated: false }, async (ports, request) => ({
  body: await refreshStaffSession(ports, request.body.refreshToken),
}));
