import { handler as agentsDelete } from './agents-delete';
import { handler as agentsUpdate } from './agents-update';
import { httpDispatcher } from '../shared/http';

/** The `agent-writes` function (functions/routes.ts HTTP_GROUPS): each route key to its operation's handler. */
export const handler = httpDispatcher('agent-writes', {
  'PUT /v1/agents/{id}': agentsUpdate,
  'DELETE /v1/agents/{id}': agentsDelete,
});
