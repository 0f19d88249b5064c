import type { Locale, Translate } from '../web/i18n';
import type { SkillAvailability } from '../web/http-api';
import { backAtText, returnTime } from './return-time';

/** What the widget shows for an availability (undefined: unknown or not asked, so as before: chat). */
export interface Presentation {
  /** The launcher bubble is shown. */
  readonly launcher: boolean;
  /** The panel holds the chat or the offline contact form. */
  readonly content: 'chat' | 'form';
  /** Nobody can answer now: the away notice is shown. */
  readonly away: boolean;
}

export function canAnswer(availability: SkillAvailability): boolean {
  return availability.open && availability.agentsOnline > 0;
}

/**
 * The admin's choice for when nobody can answer (closed, or nobody online): `hide` drops the
 * launcher, `form` shows the offline contact form, `queue` chats anyway with an away notice.
 * A conversation the visitor already has always stays reachable, as a chat.
 */
export function presentationFor(availability: SkillAvailability | undefined, hasConversation: boolean): Presentation {
  if (!availability || canAnswer(availability)) return { launcher: true, content: 'chat', away: false };
  if (hasConversation) return { launcher: true, content: 'chat', away: true };
  switch (availability.behaviour) {
    case 'hide':
      return { launcher: false, content: 'chat', away: true };
    case 'form':
      return { launcher: true, content: 'form', away: true };
    case 'queue':
      return { launcher: true, content: 'chat', away: true };
  }
}

/**
 * "We're back tomorrow at 09:00." when closed (in the visitor's zone), after the admin's own
 * sentence when there is one; "No agent is online right now." when open with nobody online.
 */
export function awayText(
  availability: SkillAvailability,
  t: Translate,
  locale: Locale,
  now: Date,
  visitorTimeZone: string | undefined,
): string {
  if (availability.open) return t('noAgentOnline');
  const own = availability.offHoursMessage?.[locale];
  const next = availability.nextOpening ? new Date(availability.nextOpening) : undefined;
  const back = !next || Number.isNaN(next.getTime()) ? undefined : backAtText(returnTime(next, now, visitorTimeZone, locale), t);
  if (own) return back ? `${own}${locale === 'zh-CN' ? '' : ' '}${back}` : own;
  return back ?? t('awayClosed');
}
