import { listSkills } from '../../services/skills';
import { httpHandler } from '../shared/http';

export const handler = httpHandler({ name: 'skills-list', authenticated: true }, async (ports, _request, user) => ({
  body: { skills: await listSkills(ports, user!) },
}));
