import { deleteSkill, skillParam } from '../../services/skills';
import { httpHandler } from '../shared/http';

export const handler = httpHandler({ name: 'skills-delete', authenticated: true }, async (ports, request, user) => ({
  body: await deleteSkill(ports, user!, skillParam(request.params)),
}));
