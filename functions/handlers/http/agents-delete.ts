import { deleteAgent } from '../../services/agent-admin';
import { httpHandler } from '../shared/http';
import { agentIdParam } from './agent-schemas';

export const handler = httpHandler({ name: 'agents-delete', authenticated: true }, async (ports, request, user) => ({
  body: await deleteAgent(ports, user!, agentIdParam(request.params)),
}));
