import { handler as autoRepliesGet } from './auto-replies-get';
import { handler as autoRepliesTest } from './auto-replies-test';
import { handler as cannedResponsesList } from './canned-responses-list';
import { handler as hoursGet } from './hours-get';
import { handler as skillsList } from './skills-list';
import { httpDispatcher } from '../shared/http';

/** The `settings-reads` function (functions/routes.ts HTTP_GROUPS): each route key to its operation's handler. */
export const handler = httpDispatcher('settings-reads', {
  'GET /v1/skills/{skill}/hours': hoursGet,
  'GET /v1/skills/{skill}/auto-replies': autoRepliesGet,
  'GET /v1/skills': skillsList,
  'POST /v1/skills/{skill}/auto-replies/test': autoRepliesTest,
  'GET /v1/canned-responses': cannedResponsesList,
});
