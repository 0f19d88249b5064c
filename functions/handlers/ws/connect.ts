import { websocketLimitChecks } from '../../domain/limits';
import { registerConnection } from '../../services/session';
import { enforceLimits } from '../shared/rate-limit';
import { lifecycleHandler } from '../shared/websocket';

/** Limits per IP and per user first (refused: no record is written), then the connection cap and the record. */
export const handler = lifecycleHandler(async (ports, caller) => {
  await enforceLimits(ports, websocketLimitChecks('$connect', {}, { userId: caller.user.id, ip: caller.sourceIp }));
  await registerConnection(ports, caller);
});
