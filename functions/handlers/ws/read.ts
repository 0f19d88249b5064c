import { readFrame } from '../../protocol/client-frames';
import { markRead } from '../../services/messaging';
import { actionHandler } from '../shared/websocket';

export const handler = actionHandler('read', readFrame, (ports, caller, frame) => markRead(ports, caller, frame));
