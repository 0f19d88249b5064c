import type { DomainEvent } from '../domain/domain-events';

/**
 * Where services publish what happened (functions/domain/domain-events.ts): the events queue on
 * AWS and in the local stack. Called after the stored change; a failure is logged and counted
 * by the caller and never fails the user's request (the change is stored and acknowledged).
 */
export interface DomainEventPublisher {
  publish(events: readonly DomainEvent[]): Promise<void>;
}

/**
 * One consumer of the events queue (reports, webhooks, search). The events handler runs every
 * registered sink for each event; a sink must be idempotent by `event.id` (delivery is at least
 * once) and throw only for a transient failure it wants retried.
 */
export interface DomainEventSink {
  /** Short name for logs and metrics (`reports`, `webhooks`, `search`). */
  readonly name: string;
  handle(event: DomainEvent): Promise<void>;
}
