import { statusFrame } from '../../protocol/client-frames';
import { setStatus } from '../../services/agents';
import { actionHandler } from '../shared/websocket';

export const handler = actionHandler('status', statusFrame, (ports, caller, frame) => setStatus(ports, caller, frame));
