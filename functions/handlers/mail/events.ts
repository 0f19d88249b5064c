import type { Context, SNSEvent } from 'aws-lambda';
import { applySesEvent } from '../../services/mail-events';
import { flushMetrics, logger } from '../../shared/observability';
import { getPorts } from '../../wiring';

/**
 * The SES configuration set's event destination (SNS) delivers bounces and complaints here.
 * A failed write throws: SNS retries the delivery, and marking is idempotent.
 */
export async function handler(event: SNSEvent, context?: Context): Promise<{ marked: number }> {
  if (context) logger.addContext(context);
  try {
    const ports = getPorts();
    let marked = 0;
    for (const record of event.Records) marked += await applySesEvent(ports, record.Sns.Message);
    return { marked };
  } catch (error) {
    logger.error('SES event failed; SNS retries it', { error });
    throw error;
  } finally {
    flushMetrics();
  }
}
