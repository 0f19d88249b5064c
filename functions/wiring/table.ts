import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoAgentDirectory } from '../adapters/dynamodb/agent-directory';
import { DynamoAgentStatusRecord } from '../adapters/dynamodb/agent-status-record';
import { DynamoAuditLog } from '../adapters/dynamodb/audit-log';
import { DynamoAutoReplyStore } from '../adapters/dynamodb/auto-reply-store';
import { DynamoCannedResponseStore } from '../adapters/dynamodb/canned-response-store';
import { DynamoConnectionStore } from '../adapters/dynamodb/connection-store';
import { DynamoConversationStore } from '../adapters/dynamodb/conversation-store';
import { DynamoCredentialStore } from '../adapters/dynamodb/credential-store';
import { DynamoCustomerErasure } from '../adapters/dynamodb/customer-erasure';
import { DynamoEmailAddressStore } from '../adapters/dynamodb/email-address-store';
import { DynamoHoursStore } from '../adapters/dynamodb/hours-store';
import { DynamoNoteStore } from '../adapters/dynamodb/note-store';
import { DynamoReportStore } from '../adapters/dynamodb/report-store';
import { DynamoSearchIndex } from '../adapters/dynamodb/search-index';
import { DynamoSessionStore } from '../adapters/dynamodb/session-store';
import { DynamoSkillStore } from '../adapters/dynamodb/skill-store';
import { DynamoTicketStore } from '../adapters/dynamodb/ticket-store';
import { DynamoWebhookStore } from '../adapters/dynamodb/webhook-store';
import { CachedAutoReplyStore } from '../adapters/system/cached-auto-reply-store';
import { CachedHoursStore } from '../adapters/system/cached-hours-store';
import { CachedSkillStore } from '../adapters/system/cached-skill-store';
import { DirectoryConnectionStore } from '../adapters/system/directory-connection-store';
import type { WebhookStore } from '../ports/webhooks';
import { captureClient } from '../shared/tracing';
import { endpoint, transport, type PortFactories, type WiringContext } from './context';
import type { GroupPortName } from './groups';
import { connectionDirectory } from './redis';

export const dynamodbClient = (ctx: WiringContext): DynamoDBClient =>
  ctx.memo('dynamodb', () =>
    captureClient(
      new DynamoDBClient({ region: ctx.config.AWS_REGION, ...transport(ctx), ...endpoint(ctx.config.AWS_ENDPOINT_URL_DYNAMODB) }),
    ),
  );

const documents = (ctx: WiringContext): DynamoDBDocumentClient =>
  ctx.memo('documents', () => DynamoDBDocumentClient.from(dynamodbClient(ctx), { marshallOptions: { removeUndefinedValues: true } }));

const table = (ctx: WiringContext) => ctx.config.TABLE_NAME;

export const tablePorts: PortFactories<GroupPortName<'table'>> = {
  conversations: (ctx) => new DynamoConversationStore(documents(ctx), table(ctx), ctx.ids),
  notes: (ctx) => new DynamoNoteStore(documents(ctx), table(ctx), ctx.ids),
  tickets: (ctx) => new DynamoTicketStore(documents(ctx), table(ctx)),
  // The record, mirrored into the Redis connection directory where this bundle has Redis (a
  // function without it writes the record alone: the directory's 410 path cleans up after it).
  connections: (ctx) =>
    process.env.PARLEY_BUNDLE_REDIS !== 'false'
      ? new DirectoryConnectionStore(new DynamoConnectionStore(documents(ctx), table(ctx)), connectionDirectory(ctx), ctx.log)
      : new DynamoConnectionStore(documents(ctx), table(ctx)),
  // Every start with text reads its skill's bot: cached like the skill list.
  autoReplies: (ctx) =>
    new CachedAutoReplyStore(new DynamoAutoReplyStore(documents(ctx), table(ctx)), ctx.clock, ctx.config.SKILLS_CACHE_SECONDS * 1000),
  cannedResponses: (ctx) => new DynamoCannedResponseStore(documents(ctx), table(ctx)),
  search: (ctx) => new DynamoSearchIndex(documents(ctx), table(ctx)),
  agents: (ctx) => new DynamoAgentDirectory(documents(ctx), table(ctx)),
  agentStatuses: (ctx) => new DynamoAgentStatusRecord(documents(ctx), table(ctx)),
  credentials: (ctx) => new DynamoCredentialStore(documents(ctx), table(ctx)),
  sessions: (ctx) => new DynamoSessionStore(documents(ctx), table(ctx)),
  reports: (ctx) => new DynamoReportStore(documents(ctx), table(ctx)),
  audit: (ctx) => new DynamoAuditLog(documents(ctx), table(ctx)),
  erasure: (ctx) => new DynamoCustomerErasure(documents(ctx), table(ctx)),
  skills: (ctx) =>
    new CachedSkillStore(new DynamoSkillStore(documents(ctx), table(ctx)), ctx.clock, ctx.config.SKILLS_CACHE_SECONDS * 1000),
  hours: (ctx) => new CachedHoursStore(new DynamoHoursStore(documents(ctx), table(ctx)), ctx.clock, ctx.config.HOURS_CACHE_SECONDS * 1000),
  emailAddresses: (ctx) => ctx.memo('emailAddresses', () => new DynamoEmailAddressStore(documents(ctx), table(ctx))),
};

/** The webhook endpoints (services/webhooks.ts). */
export const webhookStore = (ctx: WiringContext): WebhookStore => new DynamoWebhookStore(documents(ctx), table(ctx));
