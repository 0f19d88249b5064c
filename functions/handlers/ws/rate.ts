import { rateFrame } from '../../protocol/client-frames';
import { rate } from '../../services/conversations';
import { actionHandler } from '../shared/websocket';

export const handler = actionHandler('rate', rateFrame, (ports, caller, frame) => rate(ports, caller, frame));
