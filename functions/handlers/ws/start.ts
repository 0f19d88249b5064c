import { startFrame } from '../../protocol/client-frames';
import { start } from '../../services/conversations';
import { actionHandler } from '../shared/websocket';

export const handler = actionHandler('start', startFrame, (ports, caller, frame) => start(ports, caller, frame));
