import type { FaultInjector } from './fault-injector';

export interface ConnectionTarget {
  connectionIds(): string[];
  kill(connectionId: string): void;
}

const TICK_MS = 250;

/** Cuts random open connections (no close handshake), at the injector's per-second rate. */
export function startConnectionKiller(gateway: ConnectionTarget, faults: FaultInjector): { stop(): void } {
  const timer = setInterval(() => {
    if (faults.settings.killPerSecond <= 0) return;
    for (const connectionId of faults.connectionsToKill(gateway.connectionIds(), TICK_MS)) gateway.kill(connectionId);
  }, TICK_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
