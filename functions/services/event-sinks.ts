import type { DomainEvent } from '../domain/domain-events';
import type { DomainEventSink } from '../ports/domain-events';
import type { Ports } from './context';
import { reportsSink } from './reports';
import { webhookSinkFor, type WebhookDeps } from './webhooks';

/** What sinks need besides the common ports (the wiring's parts). */
export interface SinkDeps {
  /** Webhooks (docs/webhooks.md): absent, no webhook sink runs. */
  readonly webhooks?: WebhookDeps;
}
import { RetentionSink } from './retention';
import { SearchSink } from './search';

/**
 * THE registry of domain-event sinks (docs/events.md "Adding a sink"): the events consumer
 * runs every sink listed here for every event. A sink is idempotent by `event.id` (delivery is
 * at least once) and throws only for a transient failure it wants retried.
 */
export function eventSinks(ports: Ports, deps: SinkDeps = {}): DomainEventSink[] {
  return [
    reportsSink(ports),
    // Search (docs/search.md): posting lists per scope and term, from started/assigned/message/ticket events.
    new SearchSink({ search: ports.search, conversations: ports.conversations, retention: ports.settings.retentionDays !== undefined }),
    ...(deps.webhooks ? [webhookSinkFor(deps.webhooks)] : []),
    // Retention (docs/data-rights.md): with RETENTION_DAYS, a closed conversation's items and postings get their expiry.
    ...(ports.settings.retentionDays === undefined ? [] : [new RetentionSink(ports, ports.settings.retentionDays)]),
  ];
}

/** How one sink fared with one event: `error` set when it wants the event again. */
export interface SinkOutcome {
  readonly sink: string;
  readonly error?: unknown;
}

/**
 * Runs every sink on one event, side by side; one sink failing does not stop the others. The
 * event is retried whole when any failed, so the sinks that succeeded see it again and skip
 * it by its id.
 */
export async function deliverEvent(sinks: readonly DomainEventSink[], event: DomainEvent): Promise<SinkOutcome[]> {
  const settled = await Promise.allSettled(sinks.map((sink) => sink.handle(event)));
  return settled.map((outcome, index) => {
    const sink = sinks[index]!.name;
    return outcome.status === 'rejected' ? { sink, error: outcome.reason } : { sink };
  });
}
