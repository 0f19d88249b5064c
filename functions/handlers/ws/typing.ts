import type { DirectoryLookup } from '../../ports/connection-directory';
import { typingFrame } from '../../protocol/client-frames';
import { typing } from '../../services/typing';
import { admitWithRecipients } from '../shared/rate-limit';
import { actionHandler } from '../shared/websocket';

/** Its limit and its recipients' connections in one Redis command (docs/connection-directory.md). */
export const handler = actionHandler<typeof typingFrame, DirectoryLookup>(
  'typing',
  typingFrame,
  (ports, caller, frame, recipients) => typing(ports, caller, frame, recipients),
  (ports, checks, fields) => admitWithRecipients(ports, checks, fields.conversationId, ['typing']),
);
