import { offersDue, type TicketOfferReason } from '../domain/ticket';
import { availabilityOf } from './availability';
import { broadcast } from './broadcast';
import type { Ports } from './context';

/** Queued conversations read to find the skills with someone waiting (as reconciliation does). */
const WAITING_SAMPLE = 200;
/** Waiting conversations read per skill and run, longest-waiting first; the rest wait for the next run. */
const QUEUE_PAGE = 500;

export interface OfferReport {
  readonly skillsChecked: number;
  /** Offers sent in this run, by reason. */
  readonly offered: Readonly<Record<TicketOfferReason, number>>;
}

/**
 * Offers waiting customers to turn their chat into an email ticket: once they have waited
 * longer than QUEUE_TICKET_OFFER_SECONDS (`wait`), and while their skill's team is closed
 * (`closed`). Each offer is recorded on the conversation first (a conditional write: once per
 * conversation and reason, however often this runs, and `toSummary` carries `offer: 'ticket'`
 * to a widget that reconnects), then sent as an `offer` frame. Reads the queue index per skill;
 * no Scan.
 */
export async function sweepTicketOffers(ports: Ports): Promise<OfferReport> {
  const now = ports.clock.now();
  const offered: Record<TicketOfferReason, number> = { wait: 0, closed: 0, no_agent: 0 };
  const sample = await ports.conversations.listByStatus('queued', WAITING_SAMPLE);
  const skills = [...new Set(sample.map((conversation) => conversation.skill))];
  for (const skill of skills) {
    const availability = await availabilityOf(ports, skill);
    const waiting = await ports.conversations.listQueued(skill, QUEUE_PAGE);
    for (const conversation of waiting) {
      const due = offersDue(conversation, {
        now,
        waitLimitSeconds: ports.settings.queueTicketOfferSeconds,
        teamClosed: !availability.open,
      });
      for (const reason of due) {
        if (!(await ports.tickets.recordOffer(conversation.id, reason, now.toISOString()))) continue;
        offered[reason] += 1;
        await broadcast(ports, [conversation.customer.id], { type: 'offer', conversationId: conversation.id, offer: 'ticket', reason });
      }
    }
  }
  return { skillsChecked: skills.length, offered };
}
