/**
 * A work queue of keys with client-go's workqueue guarantees: a key waiting in the queue is held
 * once however often it is added; a key is handed to one worker at a time, and a key added while
 * a worker holds it is handed out again once that worker is done. Failed keys come back after a
 * per-key delay that doubles with each failure, so a broken object does not spin a worker.
 *
 * @module
 */
import { isConflict } from "../errors.ts";
import type { Logger } from "../logger.ts";

/** Options of {@link WorkQueue}. */
export interface WorkQueueOptions {
  /** Delay before the first retry of a failed key; doubles with each failure (default 5 ms). */
  baseRetryMs?: number;
  /** Ceiling of the retry delay (default 60 s). */
  maxRetryMs?: number;
}

/** Options of {@link WorkQueue.run}. */
export interface WorkQueueRunOptions {
  /** Stops the workers; keys still queued are dropped. */
  signal: AbortSignal;
  logger: Logger;
  /** Shown in log lines. */
  name: string;
  /** Keys processed at once (default 1). Distinct keys only: one key never runs twice at once. */
  workers?: number;
  /**
   * Whether a failure is worth a warning; others (such as an expected write conflict) are logged
   * at debug level. Every failure is retried either way.
   */
  isNoteworthy?: (error: unknown) => boolean;
  /**
   * Workers start once this resolves -- a controller's caches synced: counting from half-filled
   * caches would create what exists already. When it rejects (the signal aborted first), none do.
   */
  startAfter?: Promise<unknown>;
}

/** A deduplicating, rate-limited queue of keys. */
export class WorkQueue {
  readonly #baseRetryMs: number;
  readonly #maxRetryMs: number;
  /** Keys ready to be handed out, in arrival order (a Set keeps insertion order). */
  #ready = new Set<string>();
  /** Keys added and not yet handed out, including those held back while being processed. */
  #dirty = new Set<string>();
  #processing = new Set<string>();
  #failures = new Map<string, number>();
  #delayed = new Map<string, { at: number; timer: ReturnType<typeof setTimeout> }>();
  #wake: (() => void)[] = [];
  #stopped = false;

  constructor(options: WorkQueueOptions = {}) {
    this.#baseRetryMs = options.baseRetryMs ?? 5;
    this.#maxRetryMs = options.maxRetryMs ?? 60_000;
  }

  /** Keys waiting to be handed out. */
  get length(): number {
    return this.#ready.size;
  }

  /** Queues a key unless it already waits. */
  add(key: string): void {
    if (this.#stopped || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    // A key being processed is queued again when its worker finishes, not handed out twice.
    if (this.#processing.has(key)) return;
    this.#ready.add(key);
    this.#wake.shift()?.();
  }

  /** Queues a key after `delayMs`; an earlier pending delay for the key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.#stopped) return;
    if (delayMs <= 0) return this.add(key);
    const at = Date.now() + delayMs;
    const pending = this.#delayed.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.#delayed.delete(key);
      this.add(key);
    }, delayMs);
    this.#delayed.set(key, { at, timer });
  }

  /** Queues a key after its back-off, which doubles with each call until {@link forget}. */
  addRateLimited(key: string): void {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    this.addAfter(key, Math.min(this.#baseRetryMs * 2 ** failures, this.#maxRetryMs));
  }

  /** Clears a key's back-off (after it succeeded). */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  /** How many times in a row a key has failed. */
  retries(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  /** The next key, marked as being processed; undefined once the queue stopped. */
  async #next(signal: AbortSignal): Promise<string | undefined> {
    while (!this.#stopped && !signal.aborted) {
      const key = this.#ready.values().next();
      if (!key.done) {
        this.#ready.delete(key.value);
        this.#dirty.delete(key.value);
        this.#processing.add(key.value);
        return key.value;
      }
      await new Promise<void>((resolve) => this.#wake.push(resolve));
    }
    return undefined;
  }

  #done(key: string): void {
    this.#processing.delete(key);
    if (this.#dirty.has(key) && !this.#stopped) {
      this.#ready.add(key);
      this.#wake.shift()?.();
    }
  }

  #stop(): void {
    this.#stopped = true;
    for (const { timer } of this.#delayed.values()) clearTimeout(timer);
    this.#delayed.clear();
    for (const wake of this.#wake.splice(0)) wake();
  }

  /**
   * Hands keys to `handler` until the signal aborts. A handler that throws gets its key back
   * after the key's back-off; one that returns clears the back-off.
   */
  async run(
    handler: (key: string) => Promise<void>,
    options: WorkQueueRunOptions,
  ): Promise<void> {
    const { signal, logger } = options;
    const ready = options.startAfter?.then(() => true, () => false) ?? true;
    if (signal.aborted) return this.#stop();
    signal.addEventListener("abort", () => this.#stop(), { once: true });
    if (!await ready) return;
    const worker = async () => {
      for (;;) {
        const key = await this.#next(signal);
        if (key === undefined) return;
        try {
          await handler(key);
          this.forget(key);
        } catch (error) {
          if (signal.aborted) return;
          const fields = {
            controller: options.name,
            key,
            retries: this.retries(key),
            error: String(error),
          };
          if (options.isNoteworthy?.(error) ?? true) logger.warn("Sync failed; will retry", fields);
          else logger.debug("Sync failed; will retry", fields);
          this.addRateLimited(key);
        } finally {
          this.#done(key);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.workers ?? 1) }, worker));
  }
}

/**
 * How a controller over shared caches runs its queue: with its signal and logger, 5 workers
 * unless `options.workers` says otherwise (as upstream), write conflicts (a stale cache) retried
 * without a warning, and no work before `synced` resolves.
 *
 * @param name The controller, in log lines.
 * @param options The controller's options.
 * @param synced Resolves once the caches the controller reads have their first list.
 * @example
 * ```ts ignore
 * await queue.run(sync, controllerRunOptions("replicaset", options, informers.synced(rs, pods)));
 * ```
 */
export function controllerRunOptions(
  name: string,
  options: { signal: AbortSignal; logger: Logger; workers?: number },
  synced: Promise<unknown>,
): WorkQueueRunOptions {
  return {
    signal: options.signal,
    logger: options.logger,
    name,
    workers: options.workers ?? 5,
    // A write conflict (409) means a stale read: the retry with a fresh one is routine.
    isNoteworthy: (error) => !isConflict(error),
    startAfter: synced,
  };
}
