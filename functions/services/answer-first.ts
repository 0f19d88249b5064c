import type { ServerFrame } from '../protocol/server-frames';
import type { Caller, Ports } from './context';

/**
 * Sends an action's answer to the caller's own connection now, through the management API,
 * rather than as the route response once the handler returns: for answers that must reach
 * the caller before what the action sets off next (`closed` before the capacity it frees is
 * offered, since the router may hand the caller a new conversation at once). True when sent;
 * otherwise the caller still gets it as the route response.
 */
export async function answerCallerFirst(
  ports: Pick<Ports, 'notifier' | 'log'>,
  caller: Pick<Caller, 'connectionId'>,
  frame: ServerFrame,
): Promise<boolean> {
  if (!caller.connectionId) return false;
  try {
    return (await ports.notifier.send(caller.connectionId, frame)) === 'sent';
  } catch (error) {
    ports.log.warn('Could not answer the caller first; it gets the answer as the route response', { frameType: frame.type, error });
    return false;
  }
}
