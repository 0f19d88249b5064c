import { autoRepliesSkill, tryAutoReplies } from '../../services/auto-replies';
import { httpHandler } from '../shared/http';
import { autoRepliesTrialBody } from './auto-replies-schemas';

export const handler = httpHandler(
  { name: 'auto-replies-test', body: autoRepliesTrialBody, authenticated: true },
  async (ports, request, user) => ({
    body: await tryAutoReplies(ports, user!, autoRepliesSkill(request.params.skill), request.body),
  }),
);
