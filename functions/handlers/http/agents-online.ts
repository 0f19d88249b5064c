import { listOnlineAgents } from '../../services/online-agents';
import { httpHandler } from '../shared/http';

export const handler = httpHandler({ name: 'agents-online', authenticated: true }, async (ports, _request, user) => ({
  body: { agents: await listOnlineAgents(ports, user!) },
}));
