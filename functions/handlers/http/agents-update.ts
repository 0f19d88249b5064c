import { updateAgent } from '../../services/agent-admin';
import { httpHandler } from '../shared/http';
import { agentChangesBody, agentIdParam } from './agent-schemas';

export const handler = httpHandler(
  { name: 'agents-update', body: agentChangesBody, authenticated: true },
  async (ports, request, user) => ({
    body: { agent: await updateAgent(ports, user!, agentIdParam(request.params), request.body) },
  }),
);
