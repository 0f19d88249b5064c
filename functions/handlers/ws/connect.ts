import { registerConnection } from '../../services/session';
import { lifecycleHandler } from '../shared/websocket';

export const handler = lifecycleHandler((ports, caller) => registerConnection(ports, caller));
