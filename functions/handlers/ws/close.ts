import { closeFrame } from '../../protocol/client-frames';
import { close } from '../../services/conversations';
import { actionHandler } from '../shared/websocket';

export const handler = actionHandler('close', closeFrame, (ports, caller, frame) => close(ports, caller, frame));
