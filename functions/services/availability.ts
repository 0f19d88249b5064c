import type { Ports } from './context';

/** What a widget does for a skill when the team is closed or nobody serving it is online. */
export type OfflineBehaviour = 'hide' | 'form' | 'queue';

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
}

/**
 * Placeholder until business hours exist (issue 9 part 1 replaces it): always open, with
 * the agents online from presence.
 */
export async function availabilityOf(ports: Ports, skill: string): Promise<SkillAvailability> {
  const outlook = await ports.presence.outlook(skill);
  return { skill, open: true, agentsOnline: outlook.agentsServing, behaviour: 'queue', timeZone: 'UTC' };
}
