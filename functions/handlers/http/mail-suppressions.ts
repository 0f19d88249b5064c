import { listSuppressions } from '../../services/mail-events';
import { httpHandler } from '../shared/http';

export const handler = httpHandler({ name: 'mail-suppressions', authenticated: true }, async (ports, request, user) => ({
  body: await listSuppressions(ports, user!, request.query.cursor),
}));
