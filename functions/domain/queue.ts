/**
 * Queue wait estimate: agents serving the skill work through the queue in parallel, each
 * conversation taking the average handling time:
 *   etaSeconds = round(position * averageHandleSeconds / max(1, agentsServing))
 * The average is a fixed default until handling times are measured.
 */
export const AVERAGE_HANDLE_SECONDS = 240;

export function estimateWaitSeconds(
  position: number,
  agentsServing: number,
  averageHandleSeconds = AVERAGE_HANDLE_SECONDS,
): number {
  if (position <= 0) return 0;
  return Math.round((position * averageHandleSeconds) / Math.max(1, agentsServing));
}
