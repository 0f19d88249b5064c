/**
 * The ports each group builds. A function's bundle holds the groups its Needs (functions/routes.ts)
 * reach (lib/constructs/parley-function.ts `bundleDefines`); the others are left out with their
 * SDK clients and libraries. Each group is one file of functions/wiring/.
 */
export const PORT_GROUPS = {
  /** DynamoDB (wiring/table.ts). */
  table: [
    'conversations',
    'notes',
    'tickets',
    'connections',
    'autoReplies',
    'cannedResponses',
    'search',
    'agents',
    'agentStatuses',
    'credentials',
    'sessions',
    'reports',
    'audit',
    'erasure',
    'skills',
    'hours',
    'emailAddresses',
  ],
  /** SQS: the routing and events queues (wiring/queues.ts). */
  queues: ['routingQueue', 'events'],
  /** The API Gateway management API (wiring/connections.ts). */
  connections: ['notifier'],
  /** Parley's tokens: jose and the key secrets (wiring/tokens.ts). */
  tokens: ['tokens'],
  /** Upstash Redis (wiring/redis.ts). */
  redis: ['presence', 'rateLimiter', 'loginBackoff', 'connectionDirectory'],
  /** SES (wiring/mail.ts). */
  mail: ['mailer'],
  /** S3: inbound mail and attachments (wiring/s3.ts). */
  s3: ['inboundMail', 'attachments'],
} as const;

export type PortGroup = keyof typeof PORT_GROUPS;
export type GroupPortName<G extends PortGroup> = (typeof PORT_GROUPS)[G][number];
