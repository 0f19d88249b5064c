import { businessHoursSchema } from '../../domain/business-hours-schema';
import { hoursSkillParam, putHours } from '../../services/business-hours-admin';
import { httpHandler } from '../shared/http';

export const handler = httpHandler({ name: 'hours-put', body: businessHoursSchema, authenticated: true }, async (ports, request, user) => ({
  body: await putHours(ports, user!, hoursSkillParam(request.params), request.body),
}));
