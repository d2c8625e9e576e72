/**
 * Gives memory back when the server is quiet, as V8's memory reducer does for an idle browser
 * tab (Deno does not run it for us).
 *
 * V8 grows its young generation while the server starts (most of what start-up allocates
 * survives, so it sizes up to `--max-semi-space-size` per half) and after a burst of load, and
 * nothing shrinks it again while no garbage is made. A memory-reducing collection does: the
 * young generation of an idle server went from 7.9 to 0.3 MB, and the bench's idle resident
 * memory from 83.2-84.0 MB to 76.8-78.0 MB.
 * So one runs when start-up is done, and again after each quiet period that followed activity:
 * never during load, where it would cost a full collection for nothing.
 *
 * Such a collection stops the server for about 3 ms per MB of heap here (63 ms at 20 MB, 987 ms
 * at 300 MB). Above {@link MAX_REDUCED_HEAP_BYTES} it is skipped: the pause would be long, and the
 * young generation (16 MB at most) a small share of what the process holds.
 *
 * It needs V8's `gc` function (`--v8-flags=--expose-gc`, as the `server` task runs); without it
 * the reducer does nothing.
 *
 * @module
 */
import type { Logger } from "../kube/logger.ts";
import { pause } from "../kube/pause.ts";

/** V8's `gc` extension: `last-resort` is the collection that also shrinks the heap's spaces. */
type GcFunction = (options: { type: "major"; flavor: "last-resort" }) => void;

/** The largest heap (bytes in use) a reduction runs on; see the module docs. */
export const MAX_REDUCED_HEAP_BYTES = 64 * 1024 * 1024;

/** How long the API must see no request before memory is reduced again. */
export const QUIET_PERIOD_MS = 60_000;

/** Options for {@link startMemoryReducer}. */
export interface MemoryReducerOptions {
  /** A count that grows with activity (requests served): unchanged for a period = quiet. */
  activity: () => number;
  signal: AbortSignal;
  logger?: Logger;
  /** Defaults to {@link QUIET_PERIOD_MS}. */
  quietPeriodMs?: number;
  /** The collection to run; V8's exposed `gc` when omitted. */
  collect?: () => void;
  /** Bytes of heap in use now; `Deno.memoryUsage().heapUsed` when omitted. */
  heapUsed?: () => number;
}

/** The exposed `gc` as a memory-reducing collection, if the process has one. */
function exposedCollect(): (() => void) | undefined {
  const gc = (globalThis as { gc?: GcFunction }).gc;
  return gc ? () => gc({ type: "major", flavor: "last-resort" }) : undefined;
}

/**
 * Reduces memory once now (start-up is over) and then after every quiet period that followed
 * activity, until `signal` aborts.
 *
 * @returns resolves once stopped.
 */
export async function startMemoryReducer(options: MemoryReducerOptions): Promise<void> {
  const collect = options.collect ?? exposedCollect();
  if (!collect) return;
  const quietPeriodMs = options.quietPeriodMs ?? QUIET_PERIOD_MS;
  const heapUsed = options.heapUsed ?? (() => Deno.memoryUsage().heapUsed);
  const reduce = (reason: string) => {
    const used = heapUsed();
    if (used > MAX_REDUCED_HEAP_BYTES) {
      options.logger?.debug("memory not reduced: heap too large", { reason, heap_bytes: used });
      return;
    }
    const started = performance.now();
    collect();
    options.logger?.debug("memory reduced", {
      reason,
      ms: Math.round(performance.now() - started),
    });
  };
  // On a later turn: whoever awaited start-up goes on first.
  await pause(0, options.signal);
  if (options.signal.aborted) return;
  reduce("start-up done");
  let reducedAt = options.activity();
  let seen = reducedAt;
  while (!options.signal.aborted) {
    await pause(quietPeriodMs, options.signal);
    if (options.signal.aborted) return;
    const now = options.activity();
    if (now === seen && now !== reducedAt) {
      reduce("quiet");
      reducedAt = now;
    }
    seen = now;
  }
}
