import { typingFrame } from '../../protocol/client-frames';
import { typing } from '../../services/messaging';
import { actionHandler } from '../shared/websocket';

export const handler = actionHandler('typing', typingFrame, (ports, caller, frame) => typing(ports, caller, frame));
