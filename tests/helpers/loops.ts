/**
 * Test support: a control loop (a controller, the scheduler, an informer) run with an abort
 * signal of its own, and stopped — aborted, then waited for — when the test disposes of it.
 *
 * @module
 */

/**
 * Starts `start` with a fresh signal.
 *
 * @param start Runs the loop until the signal aborts.
 * @returns Dispose (`await using`) to abort the loop and wait until it has stopped.
 * @example
 * ```ts ignore
 * await using _ipam = runLoop((signal) => startNodeIpam(stores, { signal, logger }));
 * ```
 */
export function runLoop(start: (signal: AbortSignal) => Promise<unknown>): AsyncDisposable {
  const stop = new AbortController();
  const done = start(stop.signal);
  return {
    async [Symbol.asyncDispose]() {
      stop.abort();
      await done;
    },
  };
}
