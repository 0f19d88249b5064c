import { ALWAYS_OPEN, type BusinessHours, BusinessHoursError, isOpen, nextOpening, type OfflineBehaviour } from '../domain/business-hours';
import type { Ports } from './context';

export type { OfflineBehaviour };

/** The skill name under which the deployment default hours are stored. */
export const DEFAULT_HOURS_SKILL = '_default';

/** Whether a skill's team can answer now (the body of `GET /v1/availability`). */
export interface SkillAvailability {
  readonly skill: string;
  /** Inside business hours (and not a closed date). */
  readonly open: boolean;
  /** Agents online now who serve the skill. */
  readonly agentsOnline: number;
  /** The next instant the team opens (ISO 8601 UTC); absent while open or with no opening ahead. */
  readonly nextOpening?: string;
  readonly behaviour: OfflineBehaviour;
  /** The schedule's IANA time zone. */
  readonly timeZone: string;
  /** The admin's first sentence of the away notice, per language (absent: the default wording). */
  readonly offHoursMessage?: { readonly en?: string; readonly 'zh-CN'?: string };
}

/** The hours that apply to a skill: its own, else the deployment default, else always open. */
export async function hoursFor(ports: Pick<Ports, 'hours'>, skill: string): Promise<BusinessHours> {
  return (
    (skill === DEFAULT_HOURS_SKILL ? undefined : await ports.hours.get(skill)) ??
    (await ports.hours.get(DEFAULT_HOURS_SKILL)) ??
    ALWAYS_OPEN
  );
}

/** Availability from hours already read, at `now`, with `agentsOnline` agents serving the skill. */
export function availabilityFrom(
  ports: Pick<Ports, 'log'>,
  skill: string,
  hours: BusinessHours,
  agentsOnline: number,
  now: Date,
): SkillAvailability {
  let open = true;
  let next: Date | undefined;
  try {
    open = isOpen(hours, now);
    next = open ? undefined : nextOpening(hours, now);
  } catch (error) {
    // A zone the runtime no longer knows (saved under another tz database): never lock customers out.
    if (!(error instanceof BusinessHoursError)) throw error;
    ports.log.warn('Stored business hours cannot be evaluated; treated as open', { skill, error });
  }
  return {
    skill,
    open,
    agentsOnline,
    ...(next ? { nextOpening: next.toISOString() } : {}),
    behaviour: hours.behaviour,
    timeZone: hours.timeZone,
    ...(hours.offHoursMessage ? { offHoursMessage: hours.offHoursMessage } : {}),
  };
}

/**
 * Whether the skill's team can answer now: its hours (or the default's, or always open), the
 * agents online who serve it (presence), when it opens next and what the widget should do.
 */
export async function availabilityOf(ports: Ports, skill: string): Promise<SkillAvailability> {
  const [hours, outlook] = await Promise.all([hoursFor(ports, skill), ports.presence.outlook(skill)]);
  return availabilityFrom(ports, skill, hours, outlook.agentsServing, ports.clock.now());
}
