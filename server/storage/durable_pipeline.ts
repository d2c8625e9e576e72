/**
 * Acknowledges committed transactions once they are on disk, with the fsync off the main
 * thread.
 *
 * With `PRAGMA synchronous = FULL`, SQLite fsyncs the WAL inside every COMMIT, and `node:sqlite`
 * runs COMMIT on the JavaScript thread: the whole API server stood still for each fsync (with no
 * fsync at all the HTTPS create bench went from ~1,400 to ~1,950/s). Instead the connection runs with `synchronous = NORMAL` (COMMIT
 * writes the WAL without syncing it; SQLite still syncs around checkpoints, so the file is never
 * corrupt) and this pipeline calls `fdatasync` on the WAL file from Deno's blocking thread pool.
 * A batch is acknowledged -- its callers answered, its changes made visible to readers and
 * watchers -- only after a sync that *began after its COMMIT* has finished. Whatever a client can
 * observe is therefore as durable as with `FULL`; what is lost on power failure is only what was
 * never acknowledged nor shown. Batches committed while a sync runs share the next one.
 *
 * If a sync fails the pipeline fails for good (fail-stop, as after any fsync error the page cache
 * can no longer be trusted): pending and later batches are rejected.
 *
 * @module
 */

interface Waiting<T> {
  batch: T;
  resolve(): void;
  reject(error: Error): void;
}

/** See the module docs. */
export class DurablePipeline<T> {
  readonly #sync: () => Promise<void>;
  readonly #onDurable: (batch: T) => void;
  #waiting: Waiting<T>[] = [];
  #syncing = false;
  #failed: Error | undefined;

  /**
   * @param sync makes everything written so far durable (e.g. `walFile.syncData()`).
   * @param onDurable runs for each batch, in commit order, once it is durable and before its
   * promise resolves (publish it to readers here).
   */
  constructor(sync: () => Promise<void>, onDurable: (batch: T) => void) {
    this.#sync = sync;
    this.#onDurable = onDurable;
  }

  /** The error that stopped the pipeline, if one did. */
  get failed(): Error | undefined {
    return this.#failed;
  }

  /**
   * Queues a batch that has just committed.
   * @returns resolves once the batch is durable and `onDurable` ran for it.
   */
  add(batch: T): Promise<void> {
    if (this.#failed) return Promise.reject(this.#failed);
    return new Promise((resolve, reject) => {
      this.#waiting.push({ batch, resolve, reject });
      this.#startSync();
    });
  }

  #startSync(): void {
    if (this.#syncing || this.#waiting.length === 0) return;
    this.#syncing = true;
    // Only batches committed before this sync starts are covered by it.
    const covered = this.#waiting;
    this.#waiting = [];
    this.#sync().then(() => {
      for (const waiting of covered) {
        try {
          this.#onDurable(waiting.batch);
          waiting.resolve();
        } catch (error) {
          waiting.reject(error instanceof Error ? error : new Error(String(error)));
        }
      }
    }, (error) => {
      this.#failed = error instanceof Error ? error : new Error(String(error));
      for (const waiting of [...covered, ...this.#waiting]) waiting.reject(this.#failed);
      this.#waiting = [];
    }).finally(() => {
      this.#syncing = false;
      this.#startSync();
    });
  }
}
