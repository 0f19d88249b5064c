import { CfnOutput, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { CanaryConstruct } from './constructs/canary';
import { ApiGatewayAccountConstruct } from './constructs/api-gateway-account';
import { EdgeProtectionConstruct } from './constructs/edge-protection';
import { HttpApiConstruct } from './constructs/http-api';
import { AttachmentsConstruct } from './constructs/attachments';
import { MailConstruct, mailResourcesFor } from './constructs/mail';
import { MonitoringConstruct } from './constructs/monitoring';
import type { ParleyFunction } from './constructs/parley-function';
import type { ParleyResources } from './constructs/parley-resources';
import { RealtimeApiConstruct } from './constructs/realtime-api';
import { RouterConstruct } from './constructs/router';
import { RoutingConstruct } from './constructs/routing';
import { EventsConsumerConstruct } from './constructs/events-consumer';
import { EventsQueueConstruct } from './constructs/events-queue';
import { ScheduledConstruct } from './constructs/scheduled';
import { SigningKeyRotationConstruct } from './constructs/signing-key-rotation';
import { StorageConstruct } from './constructs/storage';
import { WebHostingConstruct } from './constructs/web-hosting';
import { WebhookQueuesConstruct, WebhookWorkerConstruct } from './constructs/webhooks';
import { applyNagSuppressions } from './nag-suppressions';
import { type ParleyContext, ParleyContextError, readParleyContext } from './parley-context';
import { expectedPeaks, routeThrottles, unknownRouteKeys } from './traffic-model';

/** Each route's throttle from the traffic model's inputs (lib/traffic-model.ts) and overrides. */
function routeThrottlesFor(context: ParleyContext) {
  const model = context.trafficModel;
  const peaks = expectedPeaks({
    expectedConcurrentCustomers: model.expectedConcurrentCustomers,
    expectedAgents: model.expectedAgents,
    headroom: model.headroom,
    heartbeatSeconds: Number(context.runtime.HEARTBEAT_SECONDS),
  });
  const unknown = unknownRouteKeys(model.routeThrottles, [peaks.webSocket, peaks.http]);
  if (unknown.length > 0) throw new ParleyContextError(`Invalid Parley context: routeThrottles names no route: ${unknown.join(', ')}`);
  const options = { headroom: model.headroom, stage: context.throttle, overrides: model.routeThrottles };
  return { webSocket: routeThrottles(peaks.webSocket, options), http: routeThrottles(peaks.http, options) };
}

/** Tags every taggable resource: what it belongs to, which deployment, who pays. */
function applyParleyTags(stack: Stack, context: ParleyContext): void {
  Tags.of(stack).add('Application', 'parley');
  Tags.of(stack).add('StackName', stack.stackName);
  if (context.costCenter !== undefined) Tags.of(stack).add('CostCenter', context.costCenter);
}

/**
 * Parley on AWS. Build order follows the data flow: storage and the routing queue first,
 * then the WebSocket API (its handlers send to the queue), then everything that posts to
 * WebSocket connections (router, HTTP handlers), then monitoring over all of it.
 */
export class ParleyStack extends Stack {
  readonly storage: StorageConstruct;
  readonly routing: RoutingConstruct;
  /** The webhook-deliveries queue and its DLQ (docs/webhooks.md). */
  readonly webhookQueues: WebhookQueuesConstruct;
  /** The webhook delivery worker and its DLQ alarm. */
  readonly webhooks: WebhookWorkerConstruct;
  readonly realtime: RealtimeApiConstruct;
  readonly router: RouterConstruct;
  /** The events queue (docs/events.md) and its consumer, which runs the sinks (reports, ...). */
  readonly eventsQueue: EventsQueueConstruct;
  readonly events: EventsConsumerConstruct;
  readonly http: HttpApiConstruct;
  /** Reconciliation every minute (EventBridge). */
  readonly scheduled: ScheduledConstruct;
  /** Secrets Manager rotation of the token signing keys (every 30 days). */
  readonly signingKeyRotation: SigningKeyRotationConstruct;
  readonly monitoring: MonitoringConstruct;
  /** The widget, agent console and demo page on S3 and CloudFront. */
  readonly web: WebHostingConstruct;
  readonly apiGatewayAccount?: ApiGatewayAccountConstruct;
  /** CloudFront and the WAF web ACL in front of the APIs (context `webAcl` or `webAclArn`). */
  readonly edge?: EdgeProtectionConstruct;
  /** SES sending events and receiving (context `mailFrom` and `mailDomain`; docs/mail.md). */
  readonly mail?: MailConstruct;
  /** The Synthetics chat canary (context `canary`). */
  readonly canary?: CanaryConstruct;
  /** The private attachments bucket (docs/attachments.md). */
  readonly attachments: AttachmentsConstruct;
  /** Every Lambda in the stack. */
  readonly functions: readonly ParleyFunction[];

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const context = readParleyContext(this.node);
    const throttles = routeThrottlesFor(context);

    this.storage = new StorageConstruct(this, 'Storage', { upstashSecretName: context.upstashSecretName });
    this.routing = new RoutingConstruct(this, 'Routing');
    this.webhookQueues = new WebhookQueuesConstruct(this, 'WebhookQueues');
    this.eventsQueue = new EventsQueueConstruct(this, 'EventsQueue');
    this.attachments = new AttachmentsConstruct(this, 'Attachments', {
      corsOrigins: context.corsOrigins,
      // Attachments go with their messages (retentionDays) unless attachmentRetentionDays says otherwise.
      ...((context.attachmentRetentionDays ?? context.retentionDays) === undefined
        ? {}
        : { retentionDays: context.attachmentRetentionDays ?? context.retentionDays }),
    });

    const baseResources: Omit<ParleyResources, 'realtime'> = {
      table: this.storage.table,
      routingQueue: this.routing.queue,
      routingDeadLetterQueue: this.routing.deadLetterQueue,
      webhookDeliveryQueue: this.webhookQueues.queue,
      eventsQueue: this.eventsQueue.queue,
      signingKeysSecret: this.storage.signingKeysSecret,
      verificationKeysSecret: this.storage.verificationKeysSecret,
      identifiedCustomerSecret: this.storage.identifiedCustomerSecret,
      upstashSecret: this.storage.upstashSecret,
      settings: context.runtime,
      attachmentsBucket: this.attachments.bucket,
      ...(context.retentionDays === undefined ? {} : { retentionDays: context.retentionDays }),
      tracing: context.tracing,
      ...(context.mail === undefined ? {} : { mail: mailResourcesFor(this, context.mail) }),
    };

    if (context.apiGatewayCloudWatchRole) {
      this.apiGatewayAccount = new ApiGatewayAccountConstruct(this, 'ApiGatewayAccount');
    }
    this.realtime = new RealtimeApiConstruct(this, 'Realtime', {
      resources: baseResources,
      stageName: context.stageName,
      throttle: context.throttle,
      routeThrottles: throttles.webSocket,
      ...(this.apiGatewayAccount === undefined ? {} : { stagePrerequisite: this.apiGatewayAccount.account }),
    });

    const resources: ParleyResources = { ...baseResources, realtime: this.realtime };
    this.router = new RouterConstruct(this, 'Router', { resources, queue: this.routing.queue });
    this.events = new EventsConsumerConstruct(this, 'Events', {
      resources,
      queue: this.eventsQueue.queue,
      logGroup: this.router.functionLogGroup,
    });
    this.http = new HttpApiConstruct(this, 'Http', {
      resources,
      corsOrigins: context.corsOrigins,
      throttle: context.throttle,
      routeThrottles: throttles.http,
    });

    this.scheduled = new ScheduledConstruct(this, 'Scheduled', { resources });
    this.webhooks = new WebhookWorkerConstruct(this, 'Webhooks', {
      resources,
      queues: this.webhookQueues,
      logGroup: this.router.functionLogGroup,
    });

    this.signingKeyRotation = new SigningKeyRotationConstruct(this, 'SigningKeyRotation', {
      resources,
      signingKeysSecret: this.storage.signingKeysSecret,
    });

    if (context.mail !== undefined && resources.mail !== undefined) {
      this.mail = new MailConstruct(this, 'Mail', { mail: context.mail, resources: { ...resources, mail: resources.mail } });
      new CfnOutput(this, 'MailActivateReceiptRuleSet', {
        value: this.mail.activateRuleSetCommand,
        description: 'Run once to receive replies (one receipt rule set is active per account and region; docs/mail.md)',
      });
    }

    this.functions = [
      ...this.realtime.functions,
      this.router.router,
      this.events.consumer,
      ...this.http.functions,
      ...this.scheduled.functions,
      this.webhooks.worker,
      this.signingKeyRotation.rotator,
      ...(this.mail?.functions ?? []),
    ];

    this.monitoring = new MonitoringConstruct(this, 'Monitoring', {
      functions: this.functions,
      webSocketApi: this.realtime.webSocketApi,
      webSocketStage: this.realtime.stage,
      httpApi: this.http.httpApi,
      table: this.storage.table,
      accountConcurrencyLimit: context.accountConcurrencyLimit,
      routingQueue: this.routing.queue,
      deadLetterQueue: this.routing.deadLetterQueue,
      webhookDeadLetterQueue: this.webhookQueues.deadLetterQueue,
      eventsDeadLetterQueue: this.eventsQueue.deadLetterQueue,
      ...(context.alarmEmail === undefined ? {} : { alarmEmail: context.alarmEmail }),
    });

    new CfnOutput(this, 'WebSocketUrl', { value: this.realtime.wssUrl, description: 'Clients connect here with ?token=<jwt>' });
    new CfnOutput(this, 'HttpApiUrl', { value: this.http.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'TableName', { value: this.storage.table.tableName });
    new CfnOutput(this, 'RoutingQueueUrl', { value: this.routing.queue.queueUrl });
    new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboardName });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.monitoring.alarmTopic.topicArn,
      description: 'Every alarm notifies this SNS topic',
    });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      value: this.routing.deadLetterQueue.queueUrl,
      description: 'Routing jobs that failed for good; npm run redrive moves them back (docs/operations.md)',
    });
    new CfnOutput(this, 'DeadLetterQueueArn', { value: this.routing.deadLetterQueue.queueArn });
    new CfnOutput(this, 'EventsDeadLetterQueueUrl', {
      value: this.eventsQueue.deadLetterQueue.queueUrl,
      description: 'Domain events a sink failed on five times (docs/events.md)',
    });
    new CfnOutput(this, 'IdentifiedCustomerKeyArn', {
      value: this.storage.identifiedCustomerSecret.secretArn,
      description: 'Secret holding the HS256 key the embedding site signs identified-customer tokens with (docs/security.md)',
    });

    if (context.edge !== undefined) {
      this.edge = new EdgeProtectionConstruct(this, 'Edge', {
        httpApi: this.http.httpApi,
        webSocketApi: this.realtime.webSocketApi,
        stageName: context.stageName,
        edge: context.edge,
        ...(context.apiDomain === undefined ? {} : { domain: context.apiDomain }),
      });
      new CfnOutput(this, 'EdgeHttpApiUrl', { value: this.edge.httpUrl, description: 'The HTTP API behind CloudFront and the web ACL' });
      new CfnOutput(this, 'EdgeWebSocketUrl', {
        value: this.edge.webSocketUrl,
        description: 'The WebSocket API behind CloudFront and the web ACL; clients connect here with ?token=<jwt>',
      });
    }

    if (context.canary) {
      // The canary takes the path customers take: through the edge when it is on.
      this.canary = new CanaryConstruct(this, 'Canary', {
        httpUrl: this.edge?.httpUrl ?? this.http.url,
        webSocketUrl: this.edge?.webSocketUrl ?? this.realtime.wssUrl,
      });
      this.monitoring.addAlarm(this.canary.alarm);
      new CfnOutput(this, 'CanaryAgentSecretArn', {
        value: this.canary.agentSecret.secretArn,
        description: 'Sign-in of the canary agent: create that agent with the "canary" skill once (docs/operations.md)',
      });
    }

    // With the edge on, the pages point clients at it, not at the execute-api endpoints.
    this.web = new WebHostingConstruct(this, 'Web', {
      httpApiUrl: this.edge?.httpUrl ?? this.http.url,
      webSocketUrl: this.edge?.webSocketUrl ?? this.realtime.wssUrl,
      ...(this.edge === undefined ? {} : { webAclArn: this.edge.webAclArn }),
      ...(context.webDomain === undefined ? {} : { domain: context.webDomain }),
    });
    this.attachments.logTo(this.web.logBucket);
    new CfnOutput(this, 'WebUrl', {
      value: this.web.url,
      description: 'Agent console at /console/, widget at /widget.js, demo host page at /demo/',
    });

    applyParleyTags(this, context);
    applyNagSuppressions(this);
  }
}
