/** A wait that made no progress for the stall timeout: the run stops and reports what it managed. */
export class StallError extends Error {
  override readonly name = 'StallError';
}
