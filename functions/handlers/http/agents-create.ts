import { createAgent } from '../../services/agent-admin';
import { httpHandler } from '../shared/http';
import { newAgentBody } from './agent-schemas';

export const handler = httpHandler({ name: 'agents-create', body: newAgentBody, authenticated: true }, async (ports, request, user) => ({
  status: 201,
  body: { agent: await createAgent(ports, user!, request.body) },
}));
