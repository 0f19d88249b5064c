import { cannedResponseId } from '../../domain/canned-responses';
import { deleteCannedResponse } from '../../services/canned-responses';
import { httpHandler } from '../shared/http';

export const handler = httpHandler({ name: 'canned-responses-delete', authenticated: true }, async (ports, request, user) => {
  const id = cannedResponseId(request.params.id);
  await deleteCannedResponse(ports, user!, id);
  return { body: { deleted: id } };
});
