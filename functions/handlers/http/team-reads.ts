import { handler as agentsGet } from './agents-get';
import { handler as agentsList } from './agents-list';
import { handler as agentsOnline } from './agents-online';
import { handler as listQueues } from './list-queues';
import { handler as roster } from './roster';
import { httpDispatcher } from '../shared/http';

/** The `team-reads` function (functions/routes.ts HTTP_GROUPS): each route key to its operation's handler. */
export const handler = httpDispatcher('team-reads', {
  'GET /v1/agents': agentsList,
  'GET /v1/agents/{id}': agentsGet,
  'GET /v1/queues': listQueues,
  'GET /v1/roster': roster,
  'GET /v1/agents/online': agentsOnline,
});
