/**
 * Periodic compaction, as kine does it: every interval, drop history older than the newest
 * `keepRevisions` revisions.
 *
 * @module
 */

import type { Backend } from "./types.ts";
import { pause } from "../../kube/pause.ts";

/** Options for {@link startCompactor}. */
export interface CompactorOptions {
  /** Time between compactions (kine: 5 minutes). */
  intervalMs?: number;
  /** Revisions to keep behind the current one (kine: 1000). */
  keepRevisions?: number;
  /** Stops the compactor. */
  signal: AbortSignal;
  /** Receives a failed compaction's error; the compactor keeps running. */
  onError?: (error: unknown) => void;
}

/** kine's defaults. */
export const DEFAULT_COMPACT_INTERVAL_MS = 5 * 60 * 1000;
/** kine's defaults. */
export const DEFAULT_KEEP_REVISIONS = 1000;

/**
 * Compacts `backend` once per interval until `signal` aborts.
 *
 * @param backend the store to compact.
 * @param options interval, retention and the stop signal.
 * @returns a promise that resolves once the compactor has stopped.
 *
 * @example
 * ```ts
 * import { openSqliteBackend } from "./sqlite.ts";
 * import { startCompactor } from "./compactor.ts";
 * const store = openSqliteBackend(await Deno.makeTempFile());
 * const stop = new AbortController();
 * const stopped = startCompactor(store, { signal: stop.signal });
 * stop.abort();
 * await stopped;
 * await store.close();
 * ```
 */
export async function startCompactor(backend: Backend, options: CompactorOptions): Promise<void> {
  const intervalMs = options.intervalMs ?? DEFAULT_COMPACT_INTERVAL_MS;
  const keep = options.keepRevisions ?? DEFAULT_KEEP_REVISIONS;
  const { signal } = options;
  while (!signal.aborted) {
    await pause(intervalMs, signal);
    if (signal.aborted) return;
    try {
      await compactOnce(backend, keep);
    } catch (error) {
      options.onError?.(error);
    }
  }
}

/**
 * Compacts `backend` up to `keepRevisions` behind its current revision, if that moves the
 * compact revision forward.
 */
export async function compactOnce(backend: Backend, keepRevisions: number): Promise<void> {
  const target = (await backend.currentRevision()) - keepRevisions;
  if (target > (await backend.compactRevision())) await backend.compact(target);
}
