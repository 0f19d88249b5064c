import type { DomainEvent } from '../domain/domain-events';
import { ForbiddenError } from '../domain/errors';
import type { User } from '../domain/identity';
import { aggregate, dayOf, daysBetween, incrementFor, NO_AGENT, type ReportGrouping, type ReportLine, toCsv } from '../domain/reports';
import type { DomainEventSink } from '../ports/domain-events';
import type { RatingPage } from '../ports/report-store';
import type { Ports } from './context';

/**
 * How long an event's dedupe marker lives: longer than an event can still be delivered (the
 * queue keeps it 4 days, the DLQ 14 before a redrive), so a redelivery always finds it.
 */
export const EVENT_MARKER_SECONDS = 15 * 24 * 3600;

/**
 * The `reports` sink (docs/reports.md): each event once (a conditional marker per event id),
 * then single-item ADDs on its day's row. A failure gives the marker back and throws, so the
 * redelivered event counts. Ratings keep one per conversation: a re-rating moves the score
 * sum of the row that counted the first one and counts nothing new.
 */
export function reportsSink(ports: Pick<Ports, 'reports' | 'clock' | 'log'>): DomainEventSink {
  return {
    name: 'reports',
    handle: async (event: DomainEvent) => {
      const increment = event.type === 'conversation.rated' ? undefined : incrementFor(event);
      if (event.type !== 'conversation.rated' && !increment) return;
      const expiresAt = Math.floor(ports.clock.now().getTime() / 1000) + EVENT_MARKER_SECONDS;
      if (!(await ports.reports.claimEvent(event.id, expiresAt))) return;
      try {
        if (event.type === 'conversation.rated') await countRating(ports, event);
        else if (increment) await ports.reports.add(increment.day, increment.skill, increment.agent ?? { id: NO_AGENT }, increment.add);
      } catch (error) {
        await ports.reports.releaseEvent(event.id).catch((releaseError: unknown) => {
          ports.log.error('Report event marker not released: the event will not be counted', { eventId: event.id, error: releaseError });
        });
        throw error;
      }
    },
  };
}

async function countRating(ports: Pick<Ports, 'reports'>, event: Extract<DomainEvent, { type: 'conversation.rated' }>): Promise<void> {
  const day = dayOf(event.at);
  const agentId = event.agent?.id ?? NO_AGENT;
  const previous = await ports.reports.putRating({
    conversationId: event.conversationId,
    agentId,
    ...(event.agent ? { agentName: event.agent.name } : {}),
    skill: event.skill,
    customerId: event.customerId,
    score: event.score,
    ...(event.comment ? { comment: event.comment } : {}),
    at: event.at,
    day,
  });
  // The same rating again (its first count failed after storing it) counts as new.
  if (previous && previous.at !== event.at) {
    await ports.reports.add(previous.day, previous.skill, { id: previous.agentId }, { csatSum: event.score - previous.score });
    return;
  }
  await ports.reports.add(day, event.skill, event.agent ?? { id: NO_AGENT }, { csatSum: event.score, csatCount: 1 });
}

function assertMayReadReports(user: User): void {
  if (user.role !== 'supervisor' && user.role !== 'admin') throw new ForbiddenError('Reports are for supervisors and admins');
}

export interface ReportRequest {
  readonly from: string;
  readonly to: string;
  readonly groupBy: ReportGrouping;
}

export interface Report {
  readonly from: string;
  readonly to: string;
  readonly groupBy: ReportGrouping;
  /** Days are UTC days (docs/reports.md "Time zones"). */
  readonly timeZone: 'UTC';
  readonly lines: readonly ReportLine[];
  readonly totals: ReportLine;
}

/** Days read side by side (one Query each). */
const DAY_READS_AT_ONCE = 8;

/** `GET /v1/reports`: the range's rows (one Query per day, never a Scan), grouped. */
export async function getReport(ports: Pick<Ports, 'reports'>, user: User, request: ReportRequest): Promise<Report> {
  assertMayReadReports(user);
  const days = daysBetween(request.from, request.to);
  const rows = [];
  for (let start = 0; start < days.length; start += DAY_READS_AT_ONCE) {
    const pages = await Promise.all(days.slice(start, start + DAY_READS_AT_ONCE).map((day) => ports.reports.rowsOf(day)));
    rows.push(...pages.flat());
  }
  const { lines, totals } = aggregate(rows, request.groupBy, days);
  return { from: request.from, to: request.to, groupBy: request.groupBy, timeZone: 'UTC', lines, totals };
}

/** The report as CSV (`format=csv`). */
export function reportCsv(report: Report): string {
  return toCsv(report.lines, report.totals);
}

/** `GET /v1/reports/ratings?agent=`: one agent's ratings and comments, newest conversation first. */
export async function listRatings(
  ports: Pick<Ports, 'reports'>,
  user: User,
  request: { agent: string; limit: number; cursor?: string | undefined },
): Promise<RatingPage> {
  assertMayReadReports(user);
  return ports.reports.ratingsOf(request.agent, request.limit, request.cursor);
}
