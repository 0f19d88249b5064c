import { autoRepliesSkill, getAutoReplies } from '../../services/auto-replies';
import { httpHandler } from '../shared/http';

export const handler = httpHandler({ name: 'auto-replies-get', authenticated: true }, async (ports, request, user) => ({
  body: await getAutoReplies(ports, user!, autoRepliesSkill(request.params.skill)),
}));
