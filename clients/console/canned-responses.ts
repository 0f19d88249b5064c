import type { MessageKey } from '../web/i18n';

/** The console's canned responses, in the agent's language. */
export const CANNED_RESPONSES: readonly MessageKey[] = ['cannedGreeting', 'cannedMoment', 'cannedMore', 'cannedBye'];
