import { autoRepliesSkill, putAutoReplies } from '../../services/auto-replies';
import { httpHandler } from '../shared/http';
import { autoRepliesBody } from './auto-replies-schemas';

export const handler = httpHandler(
  { name: 'auto-replies-put', body: autoRepliesBody, authenticated: true },
  async (ports, request, user) => ({
    body: await putAutoReplies(ports, user!, autoRepliesSkill(request.params.skill), request.body),
  }),
);
