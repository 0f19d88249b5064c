import { handler as autoRepliesPut } from './auto-replies-put';
import { handler as hoursPut } from './hours-put';
import { httpDispatcher } from '../shared/http';

/** The `skill-settings-writes` function (functions/routes.ts HTTP_GROUPS): each route key to its operation's handler. */
export const handler = httpDispatcher('skill-settings-writes', {
  'PUT /v1/skills/{skill}/hours': hoursPut,
  'PUT /v1/skills/{skill}/auto-replies': autoRepliesPut,
});
