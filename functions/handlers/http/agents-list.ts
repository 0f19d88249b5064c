import { listAgents } from '../../services/agent-admin';
import { httpHandler } from '../shared/http';

export const handler = httpHandler({ name: 'agents-list', authenticated: true }, async (ports, _request, user) => ({
  body: { agents: await listAgents(ports, user!) },
}));
