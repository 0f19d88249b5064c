import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import * as z from '../../shared/zod';
import { MAX_FILE_NAME_CHARS } from '../../domain/attachment';
import { BadRequestError } from '../../domain/errors';
import { downloadAttachment, requestUpload } from '../../services/attachments';
import { httpHandler } from '../shared/http';

/**
 * Attachments (issue 11, docs/attachments.md): one function for both routes, dispatched on the
 * route key. Uploads and downloads go straight between the browser and S3 on presigned
 * requests; this function only decides who may and signs.
 */
const ID = /^[A-Za-z0-9_-]{1,64}$/;

const uploadBody = z.strictObject({
  conversationId: z.string().check(z.regex(ID, 'conversationId is not a valid id')),
  // Coarse bound; the domain counts characters and checks the name.
  name: z.string().check(z.maxLength(MAX_FILE_NAME_CHARS * 4)),
  contentType: z.string().check(z.maxLength(100)),
  size: z.number().check(z.int(), z.positive(), z.maximum(Number.MAX_SAFE_INTEGER)),
});

const upload = httpHandler({ name: 'attachments', body: uploadBody, authenticated: true }, async (ports, request, user) => {
  const answer = await requestUpload(ports, user!, request.body);
  return { status: 201, body: answer };
});

const download = httpHandler({ name: 'attachments', authenticated: true }, async (ports, request, user) => {
  const { id, attachmentId } = request.params;
  if (!id || !ID.test(id)) throw new BadRequestError('Not a conversation id');
  if (!attachmentId) throw new BadRequestError('Not an attachment id');
  return { body: await downloadAttachment(ports, user!, id, attachmentId) };
});

export const UPLOAD_ROUTE = 'POST /v1/attachments';
export const DOWNLOAD_ROUTE = 'GET /v1/conversations/{id}/attachments/{attachmentId}';

export function handler(event: APIGatewayProxyEventV2, context?: Context): Promise<APIGatewayProxyStructuredResultV2> {
  return event.routeKey === UPLOAD_ROUTE ? upload(event, context) : download(event, context);
}
