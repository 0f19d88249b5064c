import { getHours, hoursSkillParam } from '../../services/business-hours-admin';
import { httpHandler } from '../shared/http';

export const handler = httpHandler({ name: 'hours-get', authenticated: true }, async (ports, request, user) => ({
  body: await getHours(ports, user!, hoursSkillParam(request.params)),
}));
