import { messageFrame } from '../../protocol/client-frames';
import { sendMessage } from '../../services/messaging';
import { actionHandler } from '../shared/websocket';

export const handler = actionHandler('message', messageFrame, (ports, caller, frame) => sendMessage(ports, caller, frame));
