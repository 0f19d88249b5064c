import { listCannedResponses } from '../../services/canned-responses';
import { httpHandler } from '../shared/http';

export const handler = httpHandler({ name: 'canned-responses-list', authenticated: true }, async (ports, request, user) => ({
  body: { cannedResponses: await listCannedResponses(ports, user!, request.query.skill || undefined) },
}));
