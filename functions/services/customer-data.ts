import { zipSync } from 'fflate';
import { STORED_PREFIX, storedKey } from '../domain/attachment';
import type { Conversation } from '../domain/conversation';
import { participantIds } from '../domain/conversation';
import {
  archiveFiles,
  emailsOf,
  exportFileName,
  exportKey,
  type GatheredConversation,
  isInProgress,
  searchAgentsOf,
} from '../domain/customer-data';
import { ConflictError, ForbiddenError, UnavailableError } from '../domain/errors';
import { NO_AGENT } from '../domain/reports';
import { scopesFor } from '../domain/search';
import { broadcast } from './broadcast';
import { closedFrame } from './conversations';
import { afterClose } from './routing';
import { customerPostings, messagePostings } from './search';
import type { User } from '../domain/identity';
import type { Message } from '../domain/message';
import { assertCustomerId } from './customer-history';
import type { Ports } from './context';

/** Conversations per page of the customer index (byCustomer), messages per page of a conversation. */
const CONVERSATION_PAGE = 100;
const MESSAGE_PAGE = 200;

/** What `GET /v1/customers/{id}/export` answers: where to fetch the archive, and what it holds. */
export interface CustomerExport {
  customerId: string;
  exportId: string;
  exportedAt: string;
  /** A presigned GET of the zip, valid until `expiresAt`. */
  url: string;
  expiresAt: string;
  fileName: string;
  bytes: number;
  conversations: number;
  messages: number;
  attachments: number;
}

export function assertAdmin(user: User): void {
  if (user.role !== 'admin') throw new ForbiddenError("Only admins may export or erase a customer's data");
}

/** Every conversation of the customer (tickets included), newest first: the customer index, page by page. */
export async function allConversationsOf(ports: Pick<Ports, 'conversations'>, customerId: string): Promise<Conversation[]> {
  const all: Conversation[] = [];
  let before: string | undefined;
  do {
    const page = await ports.conversations.pageForCustomer(customerId, CONVERSATION_PAGE, before);
    all.push(...page.conversations);
    before = page.next;
  } while (before);
  return all;
}

/** Every message of a conversation, in order. */
export async function allMessagesOf(ports: Pick<Ports, 'conversations'>, conversationId: string): Promise<Message[]> {
  const all: Message[] = [];
  let after = 0;
  for (;;) {
    const page = await ports.conversations.listMessages(conversationId, after, MESSAGE_PAGE);
    all.push(...page.messages);
    const last = page.messages.at(-1);
    if (!page.more || last === undefined) return all;
    after = last.seq;
  }
}

/**
 * `GET /v1/customers/{id}/export` (admins): everything stored about one customer as one zip
 * with a JSON manifest (domain/customer-data.ts), written to the attachments bucket under
 * `exports/` (removed by a lifecycle rule after a day) and answered as a presigned GET: an
 * archive with attachments easily exceeds the 6 MB a Lambda response can carry. Audited: an
 * audit item and a log line name the admin, the customer and the time.
 */
export async function exportCustomer(ports: Ports, user: User, customerId: string): Promise<CustomerExport> {
  assertCustomerId(customerId);
  assertAdmin(user);
  const attachments = ports.attachments;
  if (!attachments) throw new UnavailableError('Exports need the attachments bucket, which this deployment does not configure', 60_000);
  const exportedAt = ports.clock.now().toISOString();
  const exportId = ports.ids.next();
  const conversations = await allConversationsOf(ports, customerId);
  const gathered: GatheredConversation[] = [];
  for (const conversation of conversations) {
    const messages = await allMessagesOf(ports, conversation.id);
    const files = new Map<string, Uint8Array | undefined>();
    for (const message of messages) {
      if (!message.attachment) continue;
      files.set(message.attachment.id, (await attachments.store.read(storedKey(conversation.id, message.attachment.id)))?.bytes);
    }
    gathered.push({ conversation, messages, attachments: files });
  }
  const { files, manifest } = archiveFiles({ customerId, exportId, exportedAt, exportedBy: user.id, conversations: gathered });
  // Images and PDFs are compressed already; level 6 still shrinks the JSON well.
  const zip = zipSync(files, { level: 6, mtime: new Date(exportedAt) });
  const key = exportKey(exportId);
  await attachments.store.put(key, zip, 'application/zip');
  const fileName = exportFileName(customerId, exportedAt);
  const url = await attachments.store.downloadUrl(key, {
    contentType: 'application/zip',
    contentDisposition: `attachment; filename="${fileName}"`,
    expiresSeconds: attachments.downloadSeconds,
  });
  const counts = {
    conversations: manifest.conversations.length,
    messages: manifest.conversations.reduce((sum, conversation) => sum + conversation.messages, 0),
    attachments: manifest.conversations.reduce((sum, conversation) => sum + conversation.attachments.length, 0),
  };
  await ports.audit.record({
    id: exportId,
    at: exportedAt,
    action: 'customer.export',
    actorId: user.id,
    customerId,
    details: { key, bytes: zip.length, ...counts },
  });
  ports.log.info('Customer data exported', { audit: 'customer.export', adminId: user.id, customerId, at: exportedAt, exportId, ...counts });
  return {
    customerId,
    exportId,
    exportedAt,
    url,
    expiresAt: new Date(Date.parse(exportedAt) + attachments.downloadSeconds * 1000).toISOString(),
    fileName,
    bytes: zip.length,
    ...counts,
  };
}

/** What `DELETE /v1/customers/{id}` answers: what this run erased (a retry answers what was left). */
export interface CustomerErasureReport {
  customerId: string;
  erasedAt: string;
  /** Conversations turned into tombstones (tickets included). */
  conversations: number;
  /** Conversations still in progress that `force` closed first. */
  closed: number;
  messages: number;
  attachments: number;
  postings: number;
  /** Other items deleted: claims, read cursors, notes, the customer's own partition. */
  items: number;
}

/**
 * `DELETE /v1/customers/{id}` (admins): erases a customer (docs/data-rights.md). Refused (409)
 * while one of the customer's conversations is in progress, unless `force`: those are closed
 * first, as a close would (the agent's capacity released, the participants told). Then, per
 * conversation: its search postings (recomputed from each message with the search module's own
 * tokenizer, in every scope that may hold them) and participants item, its attachments, the
 * reports' copy of its rating (score kept), its reply token and email statuses, its messages,
 * claims, cursors and notes, and last the conversation item becomes a tombstone, off the
 * customer index. So a retried erase finds exactly the conversations a failed one left.
 */
export async function eraseCustomer(
  ports: Ports,
  user: User,
  customerId: string,
  options: { readonly force: boolean },
): Promise<CustomerErasureReport> {
  assertCustomerId(customerId);
  assertAdmin(user);
  const attachments = ports.attachments;
  if (!attachments) throw new UnavailableError('Erasing needs the attachments bucket, which this deployment does not configure', 60_000);
  let conversations = await allConversationsOf(ports, customerId);
  const inProgress = conversations.filter(isInProgress);
  if (inProgress.length > 0 && !options.force) {
    throw new ConflictError(
      `The customer has ${inProgress.length} conversation(s) in progress (${inProgress.map((conversation) => conversation.id).join(', ')}); close them or erase with force=true`,
    );
  }
  for (const conversation of inProgress) await closeForErasure(ports, user, conversation);
  if (inProgress.length > 0) {
    conversations = await allConversationsOf(ports, customerId);
    // One that moved on meanwhile (a new start, a close that lost a race): nothing is erased, the retry closes it.
    if (conversations.some(isInProgress)) throw new ConflictError('A conversation of the customer changed while closing it; erase again');
  }

  const erasedAt = ports.clock.now().toISOString();
  const report: CustomerErasureReport = {
    customerId,
    erasedAt,
    conversations: 0,
    closed: inProgress.length,
    messages: 0,
    attachments: 0,
    postings: 0,
    items: 0,
  };
  for (const conversation of conversations) {
    const messages = await allMessagesOf(ports, conversation.id);
    const participants = await ports.search.participants(conversation.id);
    const scopes = scopesFor(searchAgentsOf(conversation, participants));
    const postings = [
      ...customerPostings(conversation, scopes),
      ...messages.flatMap((message) =>
        messagePostings({ conversationId: conversation.id, seq: message.seq, at: message.ts, text: message.text }, scopes),
      ),
    ];
    await ports.erasure.deleteSearchPostings(postings);
    await ports.erasure.deleteSearchParticipants(conversation.id);
    const files = await attachments.store.list(`${STORED_PREFIX}${conversation.id}/`);
    for (const key of files) await attachments.store.remove(key);
    if (conversation.rating) await ports.erasure.anonymizeRating(conversation.agent?.id ?? NO_AGENT, conversation.id);
    if (conversation.ticket) await ports.erasure.deleteMailToken(conversation.ticket.replyToken);
    for (const email of emailsOf(conversation)) await ports.erasure.deleteEmailStatus(email);
    const items = await ports.erasure.deleteConversationContents(conversation.id);
    // Last: once a tombstone, the conversation is off the customer index (a retry no longer finds it).
    await ports.erasure.tombstone(conversation, erasedAt);
    report.conversations += 1;
    report.messages += messages.length;
    report.attachments += files.length;
    report.postings += postings.length;
    report.items += items - messages.length;
  }
  report.items += await ports.erasure.deleteCustomerItems(customerId);
  await ports.audit.record({
    id: ports.ids.next(),
    at: erasedAt,
    action: 'customer.erase',
    actorId: user.id,
    customerId,
    details: {
      force: options.force,
      conversations: report.conversations,
      closed: report.closed,
      messages: report.messages,
      attachments: report.attachments,
    },
  });
  ports.log.info('Customer data erased', { audit: 'customer.erase', adminId: user.id, at: erasedAt, ...report });
  return report;
}

/**
 * A conversation in progress closed for an erase, as a close would: the stored close, the
 * participants told, then the after-close steps (the agent's capacity released, the queue
 * behind told, conversation.closed published).
 */
async function closeForErasure(ports: Ports, user: User, conversation: Conversation): Promise<void> {
  const now = ports.clock.now().toISOString();
  const closed = await ports.conversations.close(conversation.id, { id: user.id, role: user.role }, now);
  const current = closed ?? (await ports.conversations.get(conversation.id));
  if (current?.status !== 'closed') return;
  await broadcast(ports, participantIds(current), closedFrame(current, now));
  await afterClose(ports, current);
}
