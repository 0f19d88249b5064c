/**
 * Runs `work` over `items` with at most `limit` running at once, and returns the results in
 * the items' order. Every item runs even when one fails (like Promise.allSettled), then the
 * first failure is thrown: a scheduled job stays bounded in fan-out (Redis, DynamoDB and the
 * management API see at most `limit` of its requests at a time) without one bad item
 * skipping the rest.
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`The pool needs a whole number limit of at least 1, not ${limit}`);
  const results = new Array<R>(items.length);
  let failure: { error: unknown } | undefined;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
  return results;
}
