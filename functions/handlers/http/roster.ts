import { getRoster } from '../../services/roster';
import { httpHandler } from '../shared/http';

export const handler = httpHandler({ name: 'roster', authenticated: true }, async (ports, _request, user) => ({
  body: await getRoster(ports, user!),
}));
