/** A wait that made no progress for the stall timeout: the run stops and reports what it managed. */
export class StallError extends Error {
  override readonly name = 'StallError';
}

/**
 * `work`, or a StallError once `ms` pass without it settling: every wait of the run is bounded,
 * so a request or an ack that never comes ends the run with a report instead of hanging it.
 */
export function withinStall<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StallError(`no answer in ${Math.round(ms / 1000)} s: ${what}`)), ms);
    timer.unref?.();
  });
  return Promise.race([work, stalled]).finally(() => clearTimeout(timer));
}
