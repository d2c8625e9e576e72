/**
 * Upstream's slow start (`slowStartBatch`): a controller that makes many objects makes them in
 * batches of 1, 2, 4, ... and stops after a batch with a failure, so that a request every one of
 * them would fail (quota, admission, a terminating namespace) fails once rather than for each.
 *
 * @module
 */

/** How far {@link inSlowStartBatches} got. */
export interface SlowStartResult {
  /** How many items `make` was called for; those after them were never tried. */
  attempted: number;
  /** The first failure of the batch that stopped the run, if one did. */
  error?: unknown;
}

/** Runs `make` for each item in batches of 1, 2, 4, ..., stopping after a batch with a failure. */
export async function inSlowStartBatches<T>(
  items: readonly T[],
  make: (item: T) => Promise<void>,
): Promise<SlowStartResult> {
  let attempted = 0;
  for (let batch = 1; attempted < items.length; batch *= 2) {
    const chunk = items.slice(attempted, attempted + batch);
    const results = await Promise.allSettled(chunk.map(make));
    attempted += chunk.length;
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) return { attempted, error: failed.reason };
  }
  return { attempted };
}
