import type { AttachmentStore, FileTypeDetector } from '../ports/attachment-store';
import type { AuditLog } from '../ports/audit-log';
import type { CustomerErasure } from '../ports/customer-erasure';
import type { Role, User } from '../domain/identity';
import type { AgentStatusRecord } from '../ports/agent-status-record';
import type { AgentDirectory } from '../ports/agent-directory';
import type { AgentPresence } from '../ports/agent-presence';
import type { AutoReplyStore } from '../ports/auto-reply-store';
import type { CannedResponseStore } from '../ports/canned-response-store';
import type { Clock, IdGenerator } from '../ports/clock';
import type { ConnectionNotifier } from '../ports/connection-notifier';
import type { ConnectionDirectory } from '../ports/connection-directory';
import type { ConnectionStore } from '../ports/connection-store';
import type { CredentialStore } from '../ports/credential-store';
import type { DomainEventPublisher } from '../ports/domain-events';
import type { ReportStore } from '../ports/report-store';
import type { HoursStore } from '../ports/hours-store';
import type { ConversationStore } from '../ports/conversation-store';
import type { NoteStore } from '../ports/note-store';
import type { PasswordHasher } from '../ports/password-hasher';
import type { EmailAddressStatus } from '../ports/email-addresses';
import type { InboundMailSource } from '../ports/inbound-mail';
import type { Mailer } from '../ports/mailer';
import type { LoginBackoff, RateLimiter } from '../ports/rate-limiter';
import type { RoutingQueue } from '../ports/routing-queue';
import type { SearchIndex } from '../ports/search-index';
import type { OpaqueTokens, SessionStore } from '../ports/session-store';
import type { SkillStore } from '../ports/skill-store';
import type { TicketStore } from '../ports/ticket-store';
import type { TokenService, VouchedCustomer } from '../ports/tokens';

/** The acting user and, on WebSocket routes, the connection the frame came from. */
export interface Caller {
  readonly user: User;
  readonly connectionId?: string;
  /** Identified customers: what the embedding site vouched for in the token (email, attrs). */
  readonly customer?: VouchedCustomer;
}

/** The attachments bucket, the type detector and their limits (docs/attachments.md). */
export interface Attachments {
  readonly store: AttachmentStore;
  readonly detector: FileTypeDetector;
  readonly maxBytes: number;
  /** How long an upload grant (presigned POST) is valid. */
  readonly uploadSeconds: number;
  /** How long a download URL (presigned GET) is valid. */
  readonly downloadSeconds: number;
}

export interface Settings {
  readonly heartbeatSeconds: number;
  readonly defaultSkill: string;
  readonly connectionTtlSeconds: number;
  readonly guestTokenSeconds: number;
  /** How long a staff session (refresh-token family) lasts from sign-in. */
  readonly agentTokenSeconds: number;
  /** Lifetime of a staff access token (at most 15 minutes). */
  readonly staffAccessTokenSeconds: number;
  /** An agent without a heartbeat for this long counts as offline (its presence expires). */
  readonly presenceGraceSeconds: number;
  /** Reconciliation leaves unbacked capacity claims younger than this alone. */
  readonly claimMinAgeSeconds: number;
  /** Abandoned chats: quiet seconds after the agent's last message before the notice, then before the close. */
  readonly abandonAfterSeconds: number;
  readonly abandonCloseAfterSeconds: number;
  /** An agent whose last connection ended goes away after this long unless it reconnects. */
  readonly agentLeaveGraceSeconds: number;
  /** The longest token lifetime (exp - iat) accepted or issued, per role. */
  readonly maxTokenSeconds: Readonly<Record<Role, number>>;
  /** Live connections one identity may hold (customers, staff). */
  readonly maxConnections: { readonly customer: number; readonly staff: number };
  /** The idPrefix of every OIDC issuer: local staff ids may not start with one. */
  readonly oidcIdPrefixes: readonly string[];
  /** A queued customer waiting longer than this is offered a ticket (QUEUE_TICKET_OFFER_SECONDS). */
  readonly queueTicketOfferSeconds: number;
  /** Days closed conversations are kept (RETENTION_DAYS); absent: until erased (docs/data-rights.md). */
  readonly retentionDays?: number;
}

/** Minimal structured logger the services need (Powertools' Logger satisfies it). */
export interface ServiceLogger {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** Business counts (docs/operations.md "Metrics"), each with only the service dimension. */
export type BusinessCount =
  | 'MessagesStored'
  | 'ConversationsStarted'
  | 'ConversationsAbandoned'
  | 'DeliveriesSent'
  | 'DeliveriesGone'
  | 'DeliveriesFailed'
  /** Domain events a use case could not publish (services/domain-events.ts): lost for reports and other consumers. */
  | 'EventsPublishFailed';
/** Business durations in seconds. */
export type BusinessDuration = 'QueueWait' | 'TimeToAssignment' | 'FirstResponse';

/** Where the use cases count what happened (EMF on AWS; Powertools Metrics satisfies it through the wiring). */
export interface ServiceMetrics {
  count(name: BusinessCount, value?: number): void;
  seconds(name: BusinessDuration, value: number): void;
}

/** Every port the use cases may use; adapters are built lazily, so unused ones cost nothing. */
export interface Ports {
  readonly conversations: ConversationStore;
  /** Internal notes: staff-only, in a sequence apart from the messages'. */
  readonly notes: NoteStore;
  /** Tickets (issue 9): their fields on the conversation items, reply tokens, offers. */
  readonly tickets: TicketStore;
  /** Auto-reply rules per skill (the first-line bot). */
  readonly autoReplies: AutoReplyStore;
  /** Canned responses agents insert by shortcut (admin-managed). */
  readonly cannedResponses: CannedResponseStore;
  /** Search postings (docs/search.md): written by the `search` events sink, read by `GET /v1/search`. */
  readonly search: SearchIndex;
  readonly connections: ConnectionStore;
  /**
   * Users' live connections kept in Redis beside the rate-limit state (the message path reads
   * its recipients there: docs/connection-directory.md). Absent: every push Queries the record.
   */
  readonly connectionDirectory?: ConnectionDirectory;
  readonly notifier: ConnectionNotifier;
  readonly routingQueue: RoutingQueue;
  /** Where use cases publish what happened (docs/events.md): the events queue. */
  readonly events: DomainEventPublisher;
  /** Report counters and ratings (docs/reports.md): written by the reports sink, read by GET /v1/reports. */
  readonly reports: ReportStore;
  /** The audit trail of data-rights actions (docs/data-rights.md). */
  readonly audit: AuditLog;
  /** The deletes and the tombstone write that erase a customer (docs/data-rights.md). */
  readonly erasure: CustomerErasure;
  readonly agents: AgentDirectory;
  /** The status each agent last chose: the record Redis presence is rebuilt from. */
  readonly agentStatuses: AgentStatusRecord;
  /** Password hashes: read by sign-in only. */
  readonly credentials: CredentialStore;
  readonly sessions: SessionStore;
  readonly opaqueTokens: OpaqueTokens;
  readonly presence: AgentPresence;
  /** The skills admins configured (cached briefly per container). */
  readonly skills: SkillStore;
  /** Business hours per skill and the availability last announced. */
  readonly hours: HoursStore;
  /** Outbound email: ticket replies, transcripts. */
  readonly mailer: Mailer;
  /** Addresses marked by SES bounces and complaints (the mailer refuses them). */
  readonly emailAddresses: EmailAddressStatus;
  /** Raw inbound mail (the bucket SES receiving writes to). */
  readonly inboundMail: InboundMailSource;
  /** Attachments (issue 11): absent when no bucket is configured (ATTACHMENTS_BUCKET), and then refused as `unavailable`. */
  readonly attachments?: Attachments;
  readonly tokens: TokenService;
  readonly rateLimiter: RateLimiter;
  readonly loginBackoff: LoginBackoff;
  readonly passwords: PasswordHasher;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly settings: Settings;
  readonly log: ServiceLogger;
  readonly metrics: ServiceMetrics;
}
