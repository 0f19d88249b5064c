import type { BusinessHours } from '../domain/business-hours';

/** The availability a skill's waiting customers were last told (the sweep announces changes only). */
export interface AnnouncedAvailability {
  readonly open: boolean;
  readonly agentsOnline: number;
  readonly at: string;
}

/**
 * Business hours per skill (`_default`: the deployment default) and the last availability
 * announced per skill. DynamoDB: `SKILL#<skill>` / `HOURS` and `SKILL#<skill>` / `ANNOUNCED`.
 */
export interface HoursStore {
  get(skill: string): Promise<BusinessHours | undefined>;
  put(skill: string, hours: BusinessHours, change: { by: string; now: string }): Promise<void>;
  lastAnnounced(skill: string): Promise<AnnouncedAvailability | undefined>;
  rememberAnnounced(skill: string, announced: AnnouncedAvailability): Promise<void>;
}
