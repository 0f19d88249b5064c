import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../../functions/domain/domain-events';
import type { ReportRow } from '../../../functions/domain/reports';
import type { RatingPage, ReportStore, StoredRating } from '../../../functions/ports/report-store';
import { reportsSink } from '../../../functions/services/reports';

/** An in-memory ReportStore: markers, rows and ratings as the DynamoDB adapter keeps them. */
class MemoryReports implements ReportStore {
  readonly markers = new Set<string>();
  readonly rows = new Map<string, Record<string, number>>();
  readonly ratings = new Map<string, StoredRating>();
  failAdds = 0;

  async claimEvent(eventId: string): Promise<boolean> {
    if (this.markers.has(eventId)) return false;
    this.markers.add(eventId);
    return true;
  }
  async releaseEvent(eventId: string): Promise<void> {
    this.markers.delete(eventId);
  }
  async add(day: string, skill: string, agent: { id: string }, values: Readonly<Record<string, number>>): Promise<void> {
    if (this.failAdds > 0) {
      this.failAdds--;
      throw new Error('DynamoDB down');
    }
    const key = `${day}/${skill}/${agent.id}`;
    const row = this.rows.get(key) ?? {};
    for (const [name, value] of Object.entries(values)) row[name] = (row[name] ?? 0) + value;
    this.rows.set(key, row);
  }
  async putRating(rating: StoredRating): Promise<StoredRating | undefined> {
    const previous = this.ratings.get(rating.conversationId);
    this.ratings.set(rating.conversationId, rating);
    return previous;
  }
  async rowsOf(): Promise<ReportRow[]> {
    return [];
  }
  async ratingsOf(): Promise<RatingPage> {
    return { ratings: [] };
  }
}

const ports = (reports: MemoryReports) => ({
  reports,
  clock: { now: () => new Date('2026-03-01T12:00:00Z') },
  log: { info: () => {}, warn: () => {}, error: () => {} },
});
const base = { conversationId: 'c1', skill: 'tech', customerId: 'guest:1' };
const agent = { id: 'ag', name: 'Agent' };
const started: DomainEvent = { ...base, id: 'c1:started', at: '2026-03-01T10:00:00Z', type: 'conversation.started', status: 'queued' };

describe('the reports sink', () => {
  it('counts an event once however often it is delivered', async () => {
    const reports = new MemoryReports();
    const sink = reportsSink(ports(reports));
    await sink.handle(started);
    await sink.handle(started);
    expect(reports.rows.get('2026-03-01/tech/-')).toEqual({ started: 1 });
  });

  it('gives the marker back when counting fails, so the redelivery counts it', async () => {
    const reports = new MemoryReports();
    const sink = reportsSink(ports(reports));
    reports.failAdds = 1;
    await expect(sink.handle(started)).rejects.toThrow('DynamoDB down');
    expect(reports.markers.has(started.id)).toBe(false);
    await sink.handle(started);
    expect(reports.rows.get('2026-03-01/tech/-')).toEqual({ started: 1 });
  });

  it('keeps one rating per conversation: a re-rating moves the score sum of the row that counted it', async () => {
    const reports = new MemoryReports();
    const sink = reportsSink(ports(reports));
    await sink.handle({ ...base, id: 'c1:rated:1', at: '2026-03-01T11:00:00Z', type: 'conversation.rated', agent, score: 2 });
    await sink.handle({
      ...base,
      id: 'c1:rated:2',
      at: '2026-03-02T09:00:00Z',
      type: 'conversation.rated',
      agent,
      score: 5,
      comment: 'Better now',
    });
    expect(reports.rows.get('2026-03-01/tech/ag')).toEqual({ csatSum: 5, csatCount: 1 });
    expect(reports.rows.has('2026-03-02/tech/ag')).toBe(false);
    expect(reports.ratings.get('c1')).toMatchObject({ score: 5, comment: 'Better now', agentId: 'ag', day: '2026-03-02' });
  });

  it('counts a rating whose first count failed after it was stored as new on its redelivery', async () => {
    const reports = new MemoryReports();
    const sink = reportsSink(ports(reports));
    const rated: DomainEvent = { ...base, id: 'c1:rated:1', at: '2026-03-01T11:00:00Z', type: 'conversation.rated', agent, score: 4 };
    reports.failAdds = 1;
    await expect(sink.handle(rated)).rejects.toThrow();
    await sink.handle(rated);
    expect(reports.rows.get('2026-03-01/tech/ag')).toEqual({ csatSum: 4, csatCount: 1 });
  });

  it('ignores events reports do not count, without a marker', async () => {
    const reports = new MemoryReports();
    await reportsSink(ports(reports)).handle({
      ...base,
      id: 'x',
      at: '2026-03-01T10:00:00Z',
      type: 'conversation.assigned',
      agent,
      waitMs: 0,
      first: false,
    });
    expect(reports.markers.size).toBe(0);
    expect(reports.rows.size).toBe(0);
  });
});
