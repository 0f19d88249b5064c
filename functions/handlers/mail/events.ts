import type { Context, SNSEvent } from 'aws-lambda';
import { applySesEvent } from '../../services/mail-events';
import { flushMetrics, inInvocation } from '../../shared/observability';
import { recordServerFault } from '../shared/server-fault';
import { getPorts } from '../../wiring';

/**
 * The SES configuration set's event destination (SNS) delivers bounces and complaints here.
 * A failed write throws: SNS retries the delivery, and marking is idempotent.
 */
export function handler(event: SNSEvent, context?: Context): Promise<{ marked: number }> {
  return inInvocation(context, () => apply(event));
}

async function apply(event: SNSEvent): Promise<{ marked: number }> {
  try {
    const ports = getPorts();
    let marked = 0;
    for (const record of event.Records) marked += await applySesEvent(ports, record.Sns.Message);
    return { marked };
  } catch (error) {
    recordServerFault('mail:events', error, 'SES event failed; SNS retries it');
    throw error;
  } finally {
    flushMetrics();
  }
}
