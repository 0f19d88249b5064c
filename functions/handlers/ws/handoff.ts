import { handoffFrame } from '../../protocol/client-frames';
import { handoff } from '../../services/bot';
import { actionHandler } from '../shared/websocket';

export const handler = actionHandler('handoff', handoffFrame, (ports, caller, frame) => handoff(ports, caller, frame));
