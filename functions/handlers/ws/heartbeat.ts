import { heartbeatFrame } from '../../protocol/client-frames';
import { heartbeat } from '../../services/session';
import { actionHandler } from '../shared/websocket';

export const handler = actionHandler('heartbeat', heartbeatFrame, (ports, caller, frame) => heartbeat(ports, caller, frame.ts));
