import {
  type Attachment,
  contentDisposition,
  contentMismatch,
  decodeMetadataName,
  encodeMetadataName,
  formatBytes,
  isAttachmentId,
  kindOf,
  SNIFF_BYTES,
  storedKey,
  type UploadRequest,
  uploadKey,
  validateUploadRequest,
  ATTACHMENT_TYPES,
} from '../domain/attachment';
import type { Conversation } from '../domain/conversation';
import { assertCanParticipate, assertOpen, canView } from '../domain/conversation';
import { BadRequestError, ForbiddenError, NotFoundError, TooLargeError, UnavailableError } from '../domain/errors';
import type { User } from '../domain/identity';
import type { StoredObject } from '../ports/attachment-store';
import type { Attachments, Ports } from './context';
import { getConversation } from './conversations';
import { assertMaySeeCustomer } from './customer-history';

/** Metadata keys pinned by the upload policy (x-amz-meta-*); values percent-encoded (S3 metadata is ASCII). */
const META_NAME = 'name';
const META_UPLOADER = 'uploader';

function attachmentsOf(ports: Ports): Attachments {
  if (!ports.attachments) throw new UnavailableError('Attachments are not configured on this deployment', 60_000);
  return ports.attachments;
}

export interface UploadGrantAnswer {
  readonly attachmentId: string;
  /** POST `fields` then `file` (last) as multipart/form-data to `url`. */
  readonly upload: { readonly url: string; readonly fields: Readonly<Record<string, string>> };
  readonly expiresAt: string;
  readonly maxBytes: number;
}

/**
 * `POST /v1/attachments`: a participant who may write into an open conversation gets a
 * presigned POST for one file of the declared type and exact size, under the conversation.
 */
export async function requestUpload(ports: Ports, user: User, request: UploadRequest): Promise<UploadGrantAnswer> {
  const attachments = attachmentsOf(ports);
  const { name } = validateUploadRequest(request, attachments.maxBytes);
  const conversation = await getConversation(ports, request.conversationId);
  assertCanParticipate(user, conversation);
  assertOpen(conversation);
  const attachmentId = ports.ids.next();
  const grant = await attachments.store.grantUpload({
    key: uploadKey(conversation.id, attachmentId),
    contentType: request.contentType,
    size: request.size,
    metadata: { [META_NAME]: encodeMetadataName(name), [META_UPLOADER]: encodeMetadataName(user.id) },
    expiresSeconds: attachments.uploadSeconds,
  });
  const expiresAt = new Date(ports.clock.now().getTime() + attachments.uploadSeconds * 1000).toISOString();
  ports.log.info('Upload granted', { conversationId: conversation.id, attachmentId, contentType: request.contentType, size: request.size });
  return { attachmentId, upload: grant, expiresAt, maxBytes: attachments.maxBytes };
}

function describe(attachmentId: string, object: StoredObject): Attachment {
  const contentType = object.contentType ?? 'application/octet-stream';
  return {
    id: attachmentId,
    name: decodeMetadataName(object.metadata[META_NAME]) ?? attachmentId,
    contentType,
    size: object.size,
    kind: kindOf(contentType),
  };
}

/**
 * Before a message that references an upload is stored: the object must exist under this
 * conversation, come from the sender, be within the size limit, and its first bytes must be
 * its declared type (magic bytes; text rules for txt/csv). Then it moves from `uploads/` to
 * `conversations/` (out of reach of the one-day expiry). A retry finds it moved and passes.
 * A refused upload is deleted; nothing is stored in the conversation.
 */
export async function acceptAttachment(ports: Ports, sender: User, conversation: Conversation, attachmentId: string): Promise<Attachment> {
  const attachments = attachmentsOf(ports);
  if (!isAttachmentId(attachmentId)) throw new BadRequestError('attachment.id is not an attachment id');
  const { store } = attachments;
  const finalKey = storedKey(conversation.id, attachmentId);
  const moved = await store.head(finalKey);
  if (moved) {
    assertUploader(sender, moved);
    return describe(attachmentId, moved);
  }
  const pendingKey = uploadKey(conversation.id, attachmentId);
  const upload = await store.head(pendingKey);
  if (!upload) {
    throw new NotFoundError(
      `No upload ${attachmentId} in this conversation: request one with POST /v1/attachments and upload the file before sending`,
    );
  }
  assertUploader(sender, upload);
  const refuse = async (error: Error): Promise<never> => {
    await store.remove(pendingKey);
    ports.log.info('Attachment refused', { conversationId: conversation.id, attachmentId, reason: error.message });
    throw error;
  };
  // S3 enforces the grant's content-length-range; this also holds where it is not (s3rver) or changed since.
  if (upload.size > attachments.maxBytes) {
    return refuse(
      new TooLargeError(`The file is ${formatBytes(upload.size)}; attachments may be at most ${formatBytes(attachments.maxBytes)}`),
    );
  }
  if (upload.size < 1) return refuse(new BadRequestError('The uploaded file is empty'));
  const declared = upload.contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (!ATTACHMENT_TYPES[declared]) return refuse(new BadRequestError(`Files of type ${declared || 'unknown'} cannot be attached`));
  const head = await store.readStart(pendingKey, SNIFF_BYTES);
  const detected = await attachments.detector.detect(head);
  const problem = contentMismatch(declared, detected, head, upload.size > head.length);
  if (problem) return refuse(new BadRequestError(`The attachment was refused: ${problem}`));
  await store.move(pendingKey, finalKey);
  return describe(attachmentId, { ...upload, contentType: declared });
}

function assertUploader(sender: User, object: StoredObject): void {
  if (decodeMetadataName(object.metadata[META_UPLOADER]) !== sender.id)
    throw new ForbiddenError('This attachment was uploaded by someone else');
}

export interface DownloadAnswer {
  readonly url: string;
  readonly expiresAt: string;
  readonly attachment: Attachment;
}

/**
 * `GET /v1/conversations/{id}/attachments/{attachmentId}`: a short-lived presigned GET, for those
 * who may read the conversation's history (its participants, supervisors and admins, and agents
 * who may see the customer: the same rule as its messages, services/history.ts).
 */
export async function downloadAttachment(ports: Ports, user: User, conversationId: string, attachmentId: string): Promise<DownloadAnswer> {
  const attachments = attachmentsOf(ports);
  if (!isAttachmentId(attachmentId)) throw new BadRequestError('Not an attachment id');
  const conversation = await getConversation(ports, conversationId);
  if (!canView(user, conversation)) {
    if (user.role !== 'agent') throw new ForbiddenError('You are not a participant of this conversation');
    await assertMaySeeCustomer(ports, user, conversation.customer.id);
  }
  const key = storedKey(conversation.id, attachmentId);
  const object = await attachments.store.head(key);
  if (!object) throw new NotFoundError(`Attachment ${attachmentId} is not in conversation ${conversationId}`);
  const attachment = describe(attachmentId, object);
  const url = await attachments.store.downloadUrl(key, {
    contentType: attachment.contentType,
    contentDisposition: contentDisposition(attachment.name, attachment.kind),
    expiresSeconds: attachments.downloadSeconds,
  });
  const expiresAt = new Date(ports.clock.now().getTime() + attachments.downloadSeconds * 1000).toISOString();
  return { url, expiresAt, attachment };
}
