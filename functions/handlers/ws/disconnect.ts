import { unregisterConnection } from '../../services/session';
import { lifecycleHandler } from '../shared/websocket';

export const handler = lifecycleHandler((ports, caller) => unregisterConnection(ports, caller));
