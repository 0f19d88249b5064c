import { handler as skillsDelete } from './skills-delete';
import { handler as skillsPut } from './skills-put';
import { httpDispatcher } from '../shared/http';

/** The `skill-writes` function (functions/routes.ts HTTP_GROUPS): each route key to its operation's handler. */
export const handler = httpDispatcher('skill-writes', {
  'PUT /v1/skills/{skill}': skillsPut,
  'DELETE /v1/skills/{skill}': skillsDelete,
});
