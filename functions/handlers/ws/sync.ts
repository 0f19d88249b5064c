import { syncFrame } from '../../protocol/client-frames';
import { sync } from '../../services/session';
import { actionHandler } from '../shared/websocket';

export const handler = actionHandler('sync', syncFrame, (ports, caller, frame) => sync(ports, caller, frame));
