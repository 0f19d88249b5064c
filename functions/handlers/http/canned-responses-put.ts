import { cannedResponseBodySchema, cannedResponseId } from '../../domain/canned-responses';
import { putCannedResponse } from '../../services/canned-responses';
import { httpHandler } from '../shared/http';

export const handler = httpHandler(
  { name: 'canned-responses-put', body: cannedResponseBodySchema, authenticated: true },
  async (ports, request, user) => {
    const saved = await putCannedResponse(ports, user!, cannedResponseId(request.params.id), request.body);
    return { status: saved.created ? 201 : 200, body: { cannedResponse: saved.cannedResponse } };
  },
);
