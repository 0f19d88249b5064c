import { listQueues } from '../../services/queue-stats';
import { httpHandler } from '../shared/http';

export const handler = httpHandler({ name: 'list-queues', authenticated: true }, async (ports, _request, user) => ({
  body: await listQueues(ports, user!),
}));
