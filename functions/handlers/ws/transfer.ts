import { transferFrame } from '../../protocol/client-frames';
import { transfer } from '../../services/transfer';
import { actionHandler } from '../shared/websocket';

export const handler = actionHandler('transfer', transferFrame, (ports, caller, frame) => transfer(ports, caller, frame));
