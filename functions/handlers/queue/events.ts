import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { DOMAIN_EVENT_TYPES, type DomainEvent } from '../../domain/domain-events';
import type { DomainEventSink } from '../../ports/domain-events';
import { deliverEvent, eventSinks } from '../../services/event-sinks';
import { flushMetrics, inInvocation, logger, metrics, MetricUnit } from '../../shared/observability';
import { getWiring } from '../../wiring';
import { recordServerFault } from '../shared/server-fault';

/**
 * An event body: `undefined` for one no sink can ever use (not JSON, no id, or a type this
 * deployment does not know: the contract is additive, consumers ignore unknown types).
 */
export function parseEventBody(body: string): DomainEvent | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null) return undefined;
  const { id, type, at, conversationId } = json as Record<string, unknown>;
  if (typeof id !== 'string' || id.length === 0 || typeof at !== 'string' || typeof conversationId !== 'string') return undefined;
  if (!(DOMAIN_EVENT_TYPES as readonly unknown[]).includes(type)) return undefined;
  return json as DomainEvent;
}

/** One record through every sink; false when any sink wants it again. */
async function consumeRecord(sinks: readonly DomainEventSink[], record: SQSRecord): Promise<boolean> {
  const event = parseEventBody(record.body);
  if (!event) {
    logger.warn('Domain event skipped: not an event this deployment knows', { messageId: record.messageId });
    return true;
  }
  const outcomes = await deliverEvent(sinks, event);
  let ok = true;
  for (const outcome of outcomes) {
    if (!('error' in outcome)) continue;
    ok = false;
    recordServerFault('events', outcome.error, 'A domain-event sink failed; SQS will deliver the event again', {
      sink: outcome.sink,
      eventId: event.id,
      eventType: event.type,
      messageId: record.messageId,
    });
  }
  return ok;
}

/**
 * The events consumer (docs/events.md): every record of the batch through every registered
 * sink (services/event-sinks.ts), records side by side, with partial batch failures: only the
 * records a sink failed on are delivered again (and parked in the DLQ after five receives).
 */
export const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => inInvocation(context, () => consume(event));

async function consume(event: SQSEvent): Promise<SQSBatchResponse> {
  try {
    const wiring = getWiring();
    const sinks = [...eventSinks(wiring.ports), ...wiring.extraEventSinks];
    const done = await Promise.all(
      event.Records.map((record) =>
        consumeRecord(sinks, record).catch((error: unknown) => {
          recordServerFault('events', error, 'A domain event could not be handled; SQS will deliver it again', {
            messageId: record.messageId,
          });
          return false;
        }),
      ),
    );
    const failed = event.Records.filter((_, index) => !done[index]).map((record) => ({ itemIdentifier: record.messageId }));
    const handled = event.Records.length - failed.length;
    if (handled > 0) metrics.addMetric('DomainEventsHandled', MetricUnit.Count, handled);
    return { batchItemFailures: failed };
  } finally {
    flushMetrics();
  }
}
