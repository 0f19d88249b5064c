import { putSkill, skillParam } from '../../services/skills';
import { httpHandler } from '../shared/http';
import { skillBody } from './skill-schemas';

export const handler = httpHandler({ name: 'skills-put', body: skillBody, authenticated: true }, async (ports, request, user) => ({
  body: { skill: await putSkill(ports, user!, skillParam(request.params), request.body.names) },
}));
