import { SQSClient } from '@aws-sdk/client-sqs';
import { SqsDeadLetterQueue } from '../adapters/sqs/dead-letter-queue';
import { discardingEventPublisher, SqsDomainEventPublisher } from '../adapters/sqs/domain-event-publisher';
import { SqsRoutingQueue } from '../adapters/sqs/routing-queue';
import { SqsWebhookDeliveryQueue } from '../adapters/sqs/webhook-delivery-queue';
import type { DeadLetterQueue } from '../ports/dead-letter-queue';
import type { WebhookDeliveryQueue } from '../ports/webhooks';
import { captureClient } from '../shared/tracing';
import { cachedMiddleware, endpoint, transport, type PortFactories, type WiringContext } from './context';
import type { GroupPortName } from './groups';

export const sqsClient = (ctx: WiringContext): SQSClient =>
  ctx.memo('sqs', () =>
    captureClient(
      new SQSClient({
        region: ctx.config.AWS_REGION,
        ...cachedMiddleware,
        ...transport(ctx),
        ...endpoint(ctx.config.AWS_ENDPOINT_URL_SQS),
      }),
    ),
  );

export const queuePorts: PortFactories<GroupPortName<'queues'>> = {
  routingQueue: (ctx) => new SqsRoutingQueue(sqsClient(ctx), ctx.config.ROUTING_QUEUE_URL),
  events: (ctx) =>
    ctx.config.EVENTS_QUEUE_URL ? new SqsDomainEventPublisher(sqsClient(ctx), ctx.config.EVENTS_QUEUE_URL) : discardingEventPublisher,
};

/** Where the router parks triggers that can never succeed (absent without ROUTING_DEAD_LETTER_QUEUE_URL). */
export const deadLetterQueue = (ctx: WiringContext): DeadLetterQueue | undefined =>
  ctx.config.ROUTING_DEAD_LETTER_QUEUE_URL ? new SqsDeadLetterQueue(sqsClient(ctx), ctx.config.ROUTING_DEAD_LETTER_QUEUE_URL) : undefined;

/** The `webhook-deliveries` queue (absent without WEBHOOK_DELIVERY_QUEUE_URL). */
export const webhookDeliveryQueue = (ctx: WiringContext): WebhookDeliveryQueue | undefined =>
  ctx.config.WEBHOOK_DELIVERY_QUEUE_URL ? new SqsWebhookDeliveryQueue(sqsClient(ctx), ctx.config.WEBHOOK_DELIVERY_QUEUE_URL) : undefined;
