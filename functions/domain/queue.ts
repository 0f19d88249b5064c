/**
 * Queue wait estimate. Agents serving the skill work through the queue in parallel, each
 * conversation taking the skill's average handling time:
 *   etaSeconds = round(position * averageHandleSeconds / max(1, agentsServing))
 * averageHandleSeconds is the mean of the skill's most recent handling times (assignment to
 * close, the last RECENT_HANDLE_SAMPLES of them), or AVERAGE_HANDLE_SECONDS before any is known.
 */
export const AVERAGE_HANDLE_SECONDS = 240;
export const RECENT_HANDLE_SAMPLES = 20;

export function estimateWaitSeconds(position: number, agentsServing: number, averageHandleSeconds = AVERAGE_HANDLE_SECONDS): number {
  if (position <= 0) return 0;
  return Math.round((position * averageHandleSeconds) / Math.max(1, agentsServing));
}

/** Mean of recent handling times from their sum and count; the default while none is known. */
export function averageHandleSeconds(totalSeconds: number, samples: number): number {
  if (samples <= 0 || totalSeconds <= 0) return AVERAGE_HANDLE_SECONDS;
  return Math.max(1, Math.round(totalSeconds / samples));
}

/** Seconds between assignment and close, when both are known. */
export function handlingSeconds(assignedAt: string | undefined, closedAt: string): number | undefined {
  if (!assignedAt) return undefined;
  const seconds = Math.round((Date.parse(closedAt) - Date.parse(assignedAt)) / 1000);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}
