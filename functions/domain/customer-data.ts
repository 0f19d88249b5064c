import type { Conversation } from './conversation';
import type { Message } from './message';

/**
 * Customers' data rights (issue 11, docs/data-rights.md): what one customer's export archive
 * holds and how it is laid out. Pure: the service gathers the items and bytes, this names the
 * files and writes the manifest, the service zips them (fflate).
 */

/** Where export archives are written in the attachments bucket (a lifecycle rule removes them after a day). */
export const EXPORT_PREFIX = 'exports/';
/** The export format's name and version in every manifest. */
export const EXPORT_FORMAT = 'parley-customer-export';
export const EXPORT_FORMAT_VERSION = 1;

export function exportKey(exportId: string): string {
  return `${EXPORT_PREFIX}${exportId}.zip`;
}

/** A file name for a download: the customer id with anything but letters, digits, `-` and `_` as `_`. */
export function exportFileName(customerId: string, exportedAt: string): string {
  return `parley-export-${customerId.replace(/[^A-Za-z0-9_-]/g, '_')}-${exportedAt.slice(0, 10)}.zip`;
}

/** One conversation as gathered: its item, every message, and each attachment's bytes (absent: the object is gone). */
export interface GatheredConversation {
  readonly conversation: Conversation;
  readonly messages: readonly Message[];
  readonly attachments: ReadonlyMap<string, Uint8Array | undefined>;
}

export interface ExportInput {
  readonly customerId: string;
  readonly exportId: string;
  readonly exportedAt: string;
  /** The admin who asked. */
  readonly exportedBy: string;
  /** Newest first, as the customer index lists them. */
  readonly conversations: readonly GatheredConversation[];
}

export interface ManifestAttachment {
  readonly id: string;
  readonly name: string;
  readonly contentType: string;
  readonly size: number;
  readonly seq: number;
  /** The file in the archive; absent when the object was no longer in the bucket. */
  readonly path?: string;
}

export interface ManifestConversation {
  readonly id: string;
  readonly status: Conversation['status'];
  readonly createdAt: string;
  readonly closedAt?: string;
  readonly ticket: boolean;
  readonly rated: boolean;
  readonly messages: number;
  readonly path: string;
  readonly attachments: readonly ManifestAttachment[];
}

export interface ExportManifest {
  readonly format: typeof EXPORT_FORMAT;
  readonly version: typeof EXPORT_FORMAT_VERSION;
  readonly exportId: string;
  readonly customerId: string;
  readonly exportedAt: string;
  readonly exportedBy: string;
  /** Names, emails, site attributes and locales the customer's conversations recorded. */
  readonly profile: CustomerProfile;
  readonly conversations: readonly ManifestConversation[];
  /** Every file in the archive besides manifest.json, in archive order. */
  readonly files: readonly string[];
  /** What is stored about the customer elsewhere and left out, with why (docs/data-rights.md). */
  readonly notIncluded: readonly string[];
}

export interface CustomerProfile {
  readonly customerId: string;
  readonly names: readonly string[];
  readonly emails: readonly string[];
  readonly locales: readonly string[];
  /** The identified customer's site attributes, newest conversation's first. */
  readonly attrs: readonly Readonly<Record<string, unknown>>[];
}

export const NOT_INCLUDED: readonly string[] = [
  "Internal notes staff wrote about the customer's conversations (staff working notes, kept apart from the conversation).",
  'Report counters: aggregates per day, skill and agent that name no customer.',
  'Search postings and ratings listed per agent: copies of the messages, the email, the name and the rating included here.',
];

const unique = (values: readonly (string | undefined)[]) => [...new Set(values.filter((value): value is string => !!value))];

/** What the customer's conversations recorded about the customer (newest first). */
export function customerProfile(customerId: string, conversations: readonly Conversation[]): CustomerProfile {
  return {
    customerId,
    names: unique(conversations.map((conversation) => conversation.customer.name)),
    emails: unique(conversations.flatMap((conversation) => [conversation.customer.email, conversation.ticket?.email])),
    locales: unique(conversations.map((conversation) => conversation.locale)),
    attrs: conversations.flatMap((conversation) => (conversation.attrs ? [conversation.attrs as Record<string, unknown>] : [])),
  };
}

/** An attachment's file in the archive: its id (unique) then its name, made safe for a path. */
export function attachmentPath(conversationId: string, attachmentId: string, name: string): string {
  const safe = name.replace(/[\\/\p{Cc}]/gu, '_').replace(/^\.+/, '_');
  return `conversations/${conversationId}/attachments/${attachmentId}-${safe}`;
}

const encoder = new TextEncoder();
const jsonFile = (value: unknown) => encoder.encode(`${JSON.stringify(value, null, 2)}\n`);

/**
 * The archive's files: `manifest.json` first, `customer.json` (the profile), then per
 * conversation `conversation.json` (the stored conversation: status, customer, agent, visitor
 * context, rating and comment, ticket fields), `messages.json` (every message, a ticket's mail
 * thread included) and its attachments' bytes.
 */
export function archiveFiles(input: ExportInput): { files: Record<string, Uint8Array>; manifest: ExportManifest } {
  const body: Record<string, Uint8Array> = {};
  const profile = customerProfile(
    input.customerId,
    input.conversations.map((gathered) => gathered.conversation),
  );
  body['customer.json'] = jsonFile(profile);
  const conversations: ManifestConversation[] = [];
  for (const { conversation, messages, attachments } of input.conversations) {
    const path = `conversations/${conversation.id}`;
    body[`${path}/conversation.json`] = jsonFile(conversation);
    body[`${path}/messages.json`] = jsonFile(messages);
    const listed: ManifestAttachment[] = [];
    for (const message of messages) {
      const attachment = message.attachment;
      if (!attachment) continue;
      const bytes = attachments.get(attachment.id);
      const filePath = bytes === undefined ? undefined : attachmentPath(conversation.id, attachment.id, attachment.name);
      if (filePath !== undefined && bytes !== undefined) body[filePath] = bytes;
      listed.push({
        id: attachment.id,
        name: attachment.name,
        contentType: attachment.contentType,
        size: attachment.size,
        seq: message.seq,
        ...(filePath ? { path: filePath } : {}),
      });
    }
    conversations.push({
      id: conversation.id,
      status: conversation.status,
      createdAt: conversation.createdAt,
      ...(conversation.closedAt ? { closedAt: conversation.closedAt } : {}),
      ticket: conversation.ticket !== undefined,
      rated: conversation.rating !== undefined,
      messages: messages.length,
      path,
      attachments: listed,
    });
  }
  const manifest: ExportManifest = {
    format: EXPORT_FORMAT,
    version: EXPORT_FORMAT_VERSION,
    exportId: input.exportId,
    customerId: input.customerId,
    exportedAt: input.exportedAt,
    exportedBy: input.exportedBy,
    profile,
    conversations,
    files: Object.keys(body),
    notIncluded: NOT_INCLUDED,
  };
  return { files: { 'manifest.json': jsonFile(manifest), ...body }, manifest };
}

/** What an erased customer's name and id become on tombstones and in the reports' ratings. */
export const ERASED = 'erased';

/** A conversation still in progress: the erase is refused while one exists, unless forced (its close comes first). */
export const OPEN_STATUSES: readonly Conversation['status'][] = ['bot', 'queued', 'assigned'];

export function isInProgress(conversation: Pick<Conversation, 'status'>): boolean {
  return OPEN_STATUSES.includes(conversation.status);
}

/** The emails an erase must also forget (bounce and suppression entries): the customer's and each ticket's. */
export function emailsOf(conversation: Pick<Conversation, 'customer' | 'ticket'>): string[] {
  return [
    ...new Set(
      [conversation.customer.email, conversation.ticket?.email]
        .filter((email): email is string => email !== undefined && email.trim() !== '')
        .map((email) => email.trim().toLowerCase()),
    ),
  ];
}

/** Every agent whose search scope may hold the conversation's postings: participants, backfilled ones and the last assignee. */
export function searchAgentsOf(
  conversation: Pick<Conversation, 'agent'>,
  participants: { readonly agents: readonly string[]; readonly backfilled: readonly string[] },
): string[] {
  return [...new Set([...participants.agents, ...participants.backfilled, ...(conversation.agent ? [conversation.agent.id] : [])])];
}

/** When a conversation closed at `closedAt` expires under a retention of `days` (epoch seconds, DynamoDB TTL). */
export function retentionExpiry(closedAt: string, days: number): number {
  return Math.floor(Date.parse(closedAt) / 1000) + days * 86_400;
}
