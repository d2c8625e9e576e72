/**
 * WAL checkpoints whose fsyncs run off the main thread.
 *
 * SQLite's automatic checkpoint runs inside the COMMIT that crosses 1,000 WAL pages, and with
 * `synchronous = NORMAL` it fsyncs the WAL and then the database file there: `node:sqlite` runs
 * that on the JavaScript thread, so every few hundred writes the whole API server stood still
 * for 4-10 ms (measured on the create bench; gets and watch events waited behind it).
 *
 * The store therefore turns the automatic checkpoint off and runs its own between transactions,
 * every {@link CHECKPOINT_PAGES} pages written:
 *
 * 1. `fdatasync` of the WAL on Deno's blocking pool, so every frame the checkpoint will copy is
 *    durable first (what SQLite's own checkpoint syncs first);
 * 2. `wal_checkpoint(PASSIVE)` with `synchronous = OFF` for that one statement: it only copies
 *    pages into the database file (page cache writes, no fsync);
 * 3. `fdatasync` of the database file on the blocking pool, before any transaction may restart
 *    the WAL over the frames just copied (what SQLite's own checkpoint syncs last).
 *
 * Writers wait for the checkpoint in flight ({@link WalCheckpointer.inFlight}); readers and
 * watchers do not. The next commit restarts the WAL from its start, and SQLite syncs the new WAL
 * header there, on the main thread: 0.2-0.4 ms, the one fsync left on it. A failed sync stops
 * the store for good, as a failed WAL sync does.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";

/**
 * Pages written between checkpoints: a quarter of SQLite's default `wal_autocheckpoint`
 * (1,000). Copying the pages is the part that stays on the main thread, ~5 µs a page here, so a
 * smaller WAL keeps each stop near a millisecond; the fsyncs, more frequent, run elsewhere.
 */
export const CHECKPOINT_PAGES = 256;

/** The database page size k3ts's files use (SQLite's default). */
const PAGE_BYTES = 4096;

/**
 * About the WAL pages a transaction of `writes` rows and `bytes` of keys and values adds: the
 * bytes themselves, the `sqlite_sequence` and interior pages, and `(name, id)` index leaves
 * (rows written together share most of them). Measured: a batch of 32 1 KB rows wrote 15 pages
 * (estimate 18), a Lease update 3.3 (estimate 4). It only decides when to checkpoint.
 */
export function estimatedWalPages(writes: number, bytes: number): number {
  return 2 + Math.ceil(writes / 4) + Math.ceil(bytes / PAGE_BYTES);
}

/** See the module docs. */
export class WalCheckpointer {
  readonly #db: DatabaseSync;
  readonly #walFile: Deno.FsFile;
  readonly #dbFile: Deno.FsFile;
  readonly #threshold: number;
  #pages = 0;
  #inFlight: Promise<void> | undefined;
  #failed: Error | undefined;

  /**
   * @param db the store's connection; `wal_autocheckpoint` is turned off on it.
   * @param walFile the `-wal` file, open for syncing (the caller closes it).
   * @param dbFile the database file, open for syncing (the caller closes it).
   * @param threshold pages written before a checkpoint runs.
   */
  constructor(
    db: DatabaseSync,
    walFile: Deno.FsFile,
    dbFile: Deno.FsFile,
    threshold = CHECKPOINT_PAGES,
  ) {
    this.#db = db;
    this.#walFile = walFile;
    this.#dbFile = dbFile;
    this.#threshold = threshold;
    db.exec("PRAGMA wal_autocheckpoint = 0");
  }

  /** The checkpoint running now: writers start their transaction once it settled. */
  get inFlight(): Promise<void> | undefined {
    return this.#inFlight;
  }

  /** The error that stopped checkpoints (and the store's writes), if one did. */
  get failed(): Error | undefined {
    return this.#failed;
  }

  /**
   * Counts pages a committed transaction wrote; starts a checkpoint once the threshold is
   * crossed and none is running. Call it right after COMMIT, before the next transaction.
   */
  noteWritten(pages: number): void {
    this.#pages += pages;
    if (this.#pages >= this.#threshold && !this.#inFlight && !this.#failed) {
      this.#pages = 0;
      const run = this.#run().catch(() => undefined);
      this.#inFlight = run.finally(() => this.#inFlight = undefined);
    }
  }

  /**
   * One checkpoint, as in the module docs. No transaction may start until it settles: the
   * store chains its writes on {@link inFlight}. A failure is kept in {@link failed}.
   */
  async #run(): Promise<void> {
    try {
      await this.#walFile.syncData();
      this.#db.exec("PRAGMA synchronous = OFF");
      try {
        this.#db.exec("PRAGMA wal_checkpoint(PASSIVE)");
      } finally {
        this.#db.exec("PRAGMA synchronous = NORMAL");
      }
      await this.#dbFile.syncData();
    } catch (error) {
      this.#failed = error instanceof Error ? error : new Error(String(error));
      throw this.#failed;
    }
  }
}
