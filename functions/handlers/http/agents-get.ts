import { getAgent } from '../../services/agent-admin';
import { httpHandler } from '../shared/http';
import { agentIdParam } from './agent-schemas';

export const handler = httpHandler({ name: 'agents-get', authenticated: true }, async (ports, request, user) => ({
  body: { agent: await getAgent(ports, user!, agentIdParam(request.params)) },
}));
