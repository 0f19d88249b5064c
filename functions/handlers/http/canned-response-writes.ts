import { handler as cannedResponsesDelete } from './canned-responses-delete';
import { handler as cannedResponsesPut } from './canned-responses-put';
import { httpDispatcher } from '../shared/http';

/** The `canned-response-writes` function (functions/routes.ts HTTP_GROUPS): each route key to its operation's handler. */
export const handler = httpDispatcher('canned-response-writes', {
  'PUT /v1/canned-responses/{id}': cannedResponsesPut,
  'DELETE /v1/canned-responses/{id}': cannedResponsesDelete,
});
