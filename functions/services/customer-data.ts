import { zipSync } from 'fflate';
import type { Conversation } from '../domain/conversation';
import { storedKey } from '../domain/attachment';
import { archiveFiles, exportFileName, exportKey, type GatheredConversation } from '../domain/customer-data';
import { ForbiddenError, UnavailableError } from '../domain/errors';
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
export async function allConversationsOf(ports: Ports, customerId: string): Promise<Conversation[]> {
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
export async function allMessagesOf(ports: Ports, conversationId: string): Promise<Message[]> {
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
