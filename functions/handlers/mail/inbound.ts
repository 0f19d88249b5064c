import type { Context, S3Event } from 'aws-lambda';
import { parseInboundMail } from '../../adapters/mime/inbound-parser';
import { processInboundMail, type InboundMailOutcome } from '../../services/inbound-mail';
import { flushMetrics, inInvocation } from '../../shared/observability';
import { recordServerFault } from '../shared/server-fault';
import { getWiring } from '../../wiring';

export interface InboundMailResult {
  readonly results: { readonly key: string; readonly outcome: InboundMailOutcome }[];
}

/**
 * SES receiving stores each reply in S3; the bucket's notification invokes this. A failure
 * reading S3 or storing the reply throws, so Lambda's asynchronous retries try again (the
 * reply is stored once, by its Message-ID); anything else is final and logged.
 */
export function handler(event: S3Event, context?: Context): Promise<InboundMailResult> {
  return inInvocation(context, () => receive(event));
}

async function receive(event: S3Event): Promise<InboundMailResult> {
  try {
    const { ports, config } = getWiring();
    const results: InboundMailResult['results'] = [];
    for (const record of event.Records) {
      // S3 event keys are URL-encoded, with spaces as "+".
      const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
      const outcome = await processInboundMail(
        ports,
        { parse: parseInboundMail, replyDomain: config.MAIL_REPLY_DOMAIN },
        { bucket: record.s3.bucket.name, key },
      );
      results.push({ key, outcome });
    }
    return { results };
  } catch (error) {
    recordServerFault('mail:inbound', error, 'Inbound mail failed; Lambda retries it');
    throw error;
  } finally {
    flushMetrics();
  }
}
