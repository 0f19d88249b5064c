import type { Conversation } from '../domain/conversation';
import type { ServerFrame } from '../protocol/server-frames';
import { availabilityOf, type SkillAvailability } from './availability';
import { broadcast } from './broadcast';
import type { Ports } from './context';

/** Waiting conversations read per skill and status when announcing (the queue's head first). */
export const ANNOUNCE_PAGE = 200;
/** Conversations sampled to find the skills someone waits in. */
const WAITING_SAMPLE = 200;

export function availabilityFrame(availability: SkillAvailability): ServerFrame {
  return {
    type: 'availability',
    skill: availability.skill,
    open: availability.open,
    agentsOnline: availability.agentsOnline,
    ...(availability.nextOpening ? { nextOpening: availability.nextOpening } : {}),
    behaviour: availability.behaviour,
    timeZone: availability.timeZone,
  };
}

/** The `bot` conversations of every skill: one listing (every byStatus shard) serves each skill announced together. */
type BotListing = () => Promise<Conversation[]>;
const botListing = (ports: Ports): BotListing => {
  let listed: Promise<Conversation[]> | undefined;
  return () => {
    listed ??= ports.conversations.listByStatus('bot', ANNOUNCE_PAGE);
    return listed;
  };
};

/** The customers of a skill's `queued` and `bot` conversations: those whose widget shows the team's state. */
async function waitingCustomers(ports: Ports, skill: string, bots: BotListing): Promise<string[]> {
  const [queued, bot] = await Promise.all([ports.conversations.listQueued(skill, ANNOUNCE_PAGE), bots()]);
  return [...new Set([...queued, ...bot.filter((conversation) => conversation.skill === skill)].map((c: Conversation) => c.customer.id))];
}

/**
 * Tells a skill's waiting customers its availability when it changed since last announced
 * (opened or closed, agents online changed). The state is remembered per skill, so the sweep
 * and status changes announce a change once; running twice repeats at most one frame, which
 * carries the same state. Returns whether it announced.
 */
export async function announceAvailability(ports: Ports, skill: string, bots: BotListing = botListing(ports)): Promise<boolean> {
  const [availability, last] = await Promise.all([availabilityOf(ports, skill), ports.hours.lastAnnounced(skill)]);
  if (last && last.open === availability.open && last.agentsOnline === availability.agentsOnline) return false;
  const customers = await waitingCustomers(ports, skill, bots);
  const frame = availabilityFrame(availability);
  await Promise.all(customers.map((customerId) => broadcast(ports, [customerId], frame)));
  await ports.hours.rememberAnnounced(skill, {
    open: availability.open,
    agentsOnline: availability.agentsOnline,
    at: ports.clock.now().toISOString(),
  });
  return true;
}

/** Announces each skill's changes; one skill failing does not stop the others (logged). */
export async function announceSkills(ports: Ports, skills: Iterable<string>): Promise<string[]> {
  const announced: string[] = [];
  const bots = botListing(ports);
  for (const skill of new Set(skills)) {
    try {
      if (await announceAvailability(ports, skill, bots)) announced.push(skill);
    } catch (error) {
      ports.log.warn('Availability announcement failed; the next sweep retries', { skill, error });
    }
  }
  return announced;
}

/**
 * The scheduled sweep: every skill someone waits in (queued or with the bot) has its
 * availability compared with what was last announced, so the opening and closing instants
 * reach waiting customers within a sweep interval. Reads two index pages, no Scan.
 */
export async function sweepAvailability(ports: Ports, extraSkills: readonly string[] = []): Promise<string[]> {
  const [queued, bot] = await Promise.all([
    ports.conversations.listByStatus('queued', WAITING_SAMPLE),
    ports.conversations.listByStatus('bot', WAITING_SAMPLE),
  ]);
  return announceSkills(ports, [...queued, ...bot].map((conversation) => conversation.skill).concat(extraSkills));
}
