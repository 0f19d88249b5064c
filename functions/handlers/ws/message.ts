import type { DirectoryLookup } from '../../ports/connection-directory';
import { messageFrame } from '../../protocol/client-frames';
import { sendMessage } from '../../services/messaging';
import { admitMessage } from '../shared/rate-limit';
import { actionHandler } from '../shared/websocket';

/** Its limits and its recipients' connections in one Redis command (docs/connection-directory.md). */
export const handler = actionHandler<typeof messageFrame, DirectoryLookup>(
  'message',
  messageFrame,
  (ports, caller, frame, recipients) => sendMessage(ports, caller, frame, recipients),
  (ports, checks, fields) => admitMessage(ports, checks, fields.conversationId),
);
