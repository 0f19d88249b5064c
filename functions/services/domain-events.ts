import type { DomainEvent } from '../domain/domain-events';
import type { Ports } from './context';

/**
 * Publishes what a use case just stored (docs/events.md). Never fails the caller: the change is
 * stored and acknowledged whatever happens here, so a publish failure is logged at ERROR and
 * counted (`EventsPublishFailed`, alarmed) and the events are lost for their consumers.
 */
export async function publishEvents(
  ports: Pick<Ports, 'events' | 'log' | 'metrics'>,
  events: ReadonlyArray<DomainEvent | undefined>,
): Promise<void> {
  const present = events.filter((event): event is DomainEvent => event !== undefined);
  if (present.length === 0) return;
  try {
    await ports.events.publish(present);
  } catch (error) {
    ports.metrics.count('EventsPublishFailed', present.length);
    ports.log.error('Domain events not published; their consumers (reports, webhooks, search) miss them', {
      eventIds: present.map((event) => event.id),
      error,
    });
  }
}
