import type { DirectoryLookup } from '../../ports/connection-directory';
import { readFrame } from '../../protocol/client-frames';
import { markRead } from '../../services/read';
import { admitWithRecipients } from '../shared/rate-limit';
import { actionHandler } from '../shared/websocket';

/** Its limit and its recipients' connections in one Redis command (docs/connection-directory.md). */
export const handler = actionHandler<typeof readFrame, DirectoryLookup>(
  'read',
  readFrame,
  (ports, caller, frame, recipients) => markRead(ports, caller, frame, recipients),
  (ports, checks, fields) => admitWithRecipients(ports, checks, fields.conversationId, ['read']),
);
