import { endStaffSession } from '../../services/staff-sessions';
import { httpHandler } from '../shared/http';
import { refreshBody } from './auth-refresh';

/** Signing out: the session the refresh token names ends and its sockets close. */
export const handler = httpHandler({ name: 'auth-logout', body: refreshBody, authenticated: false }, async (ports, request) => ({
  body: await endStaffSession(ports, request.body.refreshToken),
}));
