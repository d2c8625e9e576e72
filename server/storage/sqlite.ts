/**
 * The SQLite {@link Backend}: kine's revisioned log on `node:sqlite`, with group commit for
 * writes and an in-process {@link WatchHub} for watches (no polling: this process is the only
 * writer, so it sees every change as it commits).
 *
 * Under `synchronous: "FULL"` the fsync runs off the main thread (see durable_pipeline.ts):
 * readers and watchers see a committed batch once it is durable, so the store keeps two
 * revisions -- the newest written and the newest visible -- and writers hear back on the turn
 * after their batch was published.
 *
 * @example
 * ```ts
 * import { openSqliteBackend } from "./sqlite.ts";
 * const store = openSqliteBackend(await Deno.makeTempFile({ suffix: ".db" }));
 * const kv = await store.create("/registry/namespaces/default", "{}");
 * await store.update(kv.key, '{"a":1}', kv.modRevision);
 * await store.close();
 * ```
 *
 * @module
 */

import { DatabaseSync, type StatementSync } from "node:sqlite";
import { setImmediate } from "node:timers";
import { DurablePipeline } from "./durable_pipeline.ts";
import { GroupCommitter, type Outcome } from "./group_commit.ts";
import {
  type HistoryRow,
  historyRowToEvent,
  type LogRow,
  prefixRange,
  rowToKeyValue,
} from "./sqlite_rows.ts";
import * as sql from "./sqlite_sql.ts";
import {
  type Backend,
  CompactedError,
  FutureRevisionError,
  type GetOptions,
  KeyExistsError,
  KeyNotFoundError,
  type KeyValue,
  type ListOptions,
  type ListResult,
  RevisionConflictError,
  type WatchEvent,
  type WatchOptions,
} from "./types.ts";
import { LiveKeyIndex } from "./live_keys.ts";
import { WatchHub } from "./watch_hub.ts";
import { estimatedWalPages, WalCheckpointer } from "./wal_checkpoint.ts";

/** Options for {@link openSqliteBackend}. */
export interface SqliteBackendOptions {
  /**
   * `FULL` (default) makes every acknowledged write survive power loss (an fsync of the WAL per
   * group of writes, off the main thread); `NORMAL` survives a process crash only. Group commit
   * amortises the fsync across concurrent writers.
   */
  synchronous?: "FULL" | "NORMAL";
  /** A watcher with more undelivered events than this is ended (default 100,000). */
  maxBufferedWatchEvents?: number;
  /** Revisions compacted per transaction, so compaction never holds the writer for long. */
  compactBatch?: number;
  /** WAL pages written between checkpoints under `FULL` (default 256, see wal_checkpoint.ts). */
  checkpointPages?: number;
}

/** A {@link Backend} on one SQLite file. */
export interface SqliteBackend extends Backend {
  /** The database file. */
  readonly path: string;
}

/** A committed transaction: the revision it reached and its changes. */
interface CommittedBatch {
  revision: number;
  events: WatchEvent[];
}

type WriteOp =
  | { kind: "create"; key: string; value: string }
  | { kind: "update"; key: string; value: string; expected: number }
  | { kind: "delete"; key: string; expected?: number };

const HISTORY_CHUNK = 500;
const META_COMPACT_REV = "compact_rev";
const META_COMPACT_DONE = "compact_done";

/**
 * Opens (creating if needed) a SQLite datastore. Revisions continue from those already in the
 * file; the compact revision persists.
 *
 * @param path the database file (its `-wal` and `-shm` files live beside it).
 * @param options durability and bounds.
 * @returns the backend; call `close()` to flush and release the file.
 */
export function openSqliteBackend(
  path: string,
  options: SqliteBackendOptions = {},
): SqliteBackend {
  return new SqliteStore(path, options);
}

class SqliteStore implements SqliteBackend {
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #hub: WatchHub;
  readonly #writes: GroupCommitter<WriteOp, KeyValue>;
  readonly #compactBatch: number;
  readonly #stmt: Record<
    | "currentRevision"
    | "getMeta"
    | "putMeta"
    | "getLatest"
    | "getAt"
    | "listFrom"
    | "listAfter"
    | "countAfter"
    | "insert"
    | "history"
    | "compactSuperseded"
    | "compactTombstones"
    | "liveKeys",
    StatementSync
  >;
  /** Built on the first count at the visible revision; see live_keys.ts. */
  #liveKeys: LiveKeyIndex | undefined;
  /** The newest revision written (committed, maybe not yet durable): writers build on it. */
  #revision: number;
  /** The newest revision readers and watchers see: durable under `FULL`. */
  #visible: number;
  /** Set under `FULL` when the WAL file could be opened for syncing; else SQLite syncs. */
  readonly #durable: DurablePipeline<CommittedBatch> | undefined;
  readonly #walFile: Deno.FsFile | undefined;
  /** Set with {@link #durable}: checkpoints whose fsyncs leave the main thread too. */
  readonly #checkpointer: WalCheckpointer | undefined;
  readonly #dbFile: Deno.FsFile | undefined;
  #compactRevision: number;
  #compaction: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(path: string, options: SqliteBackendOptions) {
    this.path = path;
    this.#db = new DatabaseSync(path);
    this.#db.exec(sql.PRAGMAS);
    this.#db.exec(sql.SCHEMA);
    // The schema's transaction created the WAL file; it lives as long as this connection.
    this.#walFile = options.synchronous === "NORMAL" ? undefined : openForSync(`${path}-wal`);
    this.#dbFile = this.#walFile ? openForSync(path) : undefined;
    if (this.#walFile && !this.#dbFile) {
      this.#walFile.close();
      this.#walFile = undefined;
    }
    const synchronous = options.synchronous === "NORMAL" || this.#walFile ? "NORMAL" : "FULL";
    this.#db.exec(`PRAGMA synchronous = ${synchronous}`);
    const walFile = this.#walFile;
    this.#durable = walFile
      ? new DurablePipeline(() => walFile.syncData(), (batch) => this.#makeVisible(batch))
      : undefined;
    this.#checkpointer = walFile && this.#dbFile
      ? new WalCheckpointer(this.#db, walFile, this.#dbFile, options.checkpointPages)
      : undefined;
    const prepare = (text: string) => this.#db.prepare(text);
    this.#stmt = {
      currentRevision: prepare(sql.CURRENT_REVISION),
      getMeta: prepare(sql.GET_META),
      putMeta: prepare(sql.PUT_META),
      getLatest: prepare(sql.GET_LATEST),
      getAt: prepare(sql.GET_AT_REVISION),
      listFrom: prepare(sql.LIST_FROM),
      listAfter: prepare(sql.LIST_AFTER),
      countAfter: prepare(sql.COUNT_AFTER),
      insert: prepare(sql.INSERT_ROW),
      history: prepare(sql.HISTORY),
      compactSuperseded: prepare(sql.COMPACT_SUPERSEDED),
      compactTombstones: prepare(sql.COMPACT_TOMBSTONES),
      liveKeys: prepare(sql.LIVE_KEYS),
    };
    this.#revision = this.#readStoredRevision();
    this.#visible = this.#revision;
    this.#compactRevision = this.#readMeta(META_COMPACT_REV);
    this.#hub = new WatchHub({ maxBufferedEvents: options.maxBufferedWatchEvents });
    this.#writes = new GroupCommitter({ commit: (ops) => this.#commitBatch(ops) });
    this.#compactBatch = options.compactBatch ?? 1000;
  }

  currentRevision(): Promise<number> {
    return Promise.resolve(this.#visible);
  }

  compactRevision(): Promise<number> {
    return Promise.resolve(this.#compactRevision);
  }

  get(key: string, options: GetOptions = {}): Promise<{ revision: number; kv?: KeyValue }> {
    return this.#read(() => this.#get(key, options));
  }

  list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    return this.#read(() => this.#list(prefix, options));
  }

  count(prefix: string): Promise<{ revision: number; count: number }> {
    return this.#read(() => {
      const revision = this.#visible;
      const { lower, upper } = prefixRange(prefix);
      return { revision, count: this.#liveKeyIndex().countBetween(lower, upper, true) };
    });
  }

  #get(key: string, options: GetOptions): { revision: number; kv?: KeyValue } {
    const revision = this.#readRevision(options.revision);
    // The latest row may not be visible yet (its fsync is running): read at the visible revision.
    const latest = !options.revision && revision === this.#revision;
    const row = (latest ? this.#stmt.getLatest.get(key) : this.#stmt.getAt.get(key, revision)) as
      | LogRow
      | undefined;
    if (!row || row.deleted === 1) return { revision };
    return { revision, kv: rowToKeyValue(row) };
  }

  #list(prefix: string, options: ListOptions): ListResult {
    const revision = this.#readRevision(options.revision);
    const { lower, upper } = prefixRange(prefix);
    const after = options.startAfter !== undefined && options.startAfter >= lower;
    const limit = options.limit && options.limit > 0 ? options.limit : -1;
    const rows =
      (after
        ? this.#stmt.listAfter.all(options.startAfter!, upper, revision, limit)
        : this.#stmt.listFrom.all(lower, upper, revision, limit)) as unknown as LogRow[];
    let remaining = 0;
    if (limit > 0 && rows.length === limit) {
      const last = rows[rows.length - 1].name;
      if (options.countRemaining === false) {
        remaining = this.#stmt.listAfter.all(last, upper, revision, 1).length;
      } else {
        remaining = revision === this.#visible
          ? this.#liveKeyIndex().countBetween(last, upper)
          : (this.#stmt.countAfter.get(last, upper, revision) as { count: number }).count;
      }
    }
    return { revision, kvs: rows.map(rowToKeyValue), remaining };
  }

  create(key: string, value: string): Promise<KeyValue> {
    return this.#submit({ kind: "create", key, value });
  }

  update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    return this.#submit({ kind: "update", key, value, expected: expectedRevision });
  }

  delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    return this.#submit({ kind: "delete", key, expected: expectedRevision });
  }

  async *watch(prefix: string, options: WatchOptions): AsyncIterable<WatchEvent[]> {
    this.#assertOpen();
    const { afterRevision, signal } = options;
    if (afterRevision < this.#compactRevision) {
      throw new CompactedError(afterRevision, this.#compactRevision);
    }
    // Subscribing and reading the current revision happen in one synchronous step, and commits
    // publish synchronously after COMMIT: every change is either in history or in the hub.
    const subscription = this.#hub.subscribe(prefix, signal);
    try {
      const historyEnd = this.#visible;
      let last = afterRevision;
      for (const batch of this.#readHistory(prefix, afterRevision, historyEnd)) {
        if (signal.aborted || this.#closed) return;
        last = batch[batch.length - 1].kv.modRevision;
        yield batch;
      }
      last = Math.max(last, historyEnd);
      while (!signal.aborted) {
        const events = await subscription.next();
        if (events === undefined) return;
        const fresh = events[0].kv.modRevision > last
          ? events
          : events.filter((e) => e.kv.modRevision > last);
        if (fresh.length === 0) continue;
        last = fresh[fresh.length - 1].kv.modRevision;
        yield fresh;
      }
    } finally {
      subscription.unsubscribe();
    }
  }

  watchesCaughtUp(revision: number): Promise<void> {
    if (revision > this.#visible) {
      return Promise.reject(new FutureRevisionError(revision, this.#visible));
    }
    // A batch is published to the hub the moment it becomes visible, and the hub hands it on in
    // promise jobs, which all run before the next turn of the event loop.
    return new Promise((resolve) => setImmediate(resolve));
  }

  compact(revision: number): Promise<void> {
    const run = this.#compaction.then(() => this.#compact(revision));
    this.#compaction = run.catch(() => {});
    return run;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#writes.drain();
    await this.#compaction;
    this.#closed = true;
    this.#hub.close();
    await this.#noCheckpoint();
    this.#db.close();
    this.#walFile?.close();
    this.#dbFile?.close();
  }

  #submit(op: WriteOp): Promise<KeyValue> {
    if (this.#closed) return Promise.reject(new Error(`storage closed: ${this.path}`));
    const failed = this.#durable?.failed ?? this.#checkpointer?.failed;
    if (failed) return Promise.reject(new Error(`storage failed: ${failed.message}`));
    return this.#writes.submit(op);
  }

  /**
   * One transaction for the whole group; preconditions are checked per operation in code. The
   * outcomes (failures too: they reveal state) are returned once the batch is durable.
   */
  #commitBatch(ops: WriteOp[]): Outcome<KeyValue>[] | Promise<Outcome<KeyValue>[]> {
    // Checked again after the wait: another writer may have started the next checkpoint.
    const checkpoint = this.#checkpointer?.inFlight;
    if (checkpoint) return checkpoint.then(() => this.#commitBatch(ops));
    return this.#commitBatchNow(ops);
  }

  /** Resolves when no checkpoint runs; a transaction begun in the same turn is safe. */
  async #noCheckpoint(): Promise<void> {
    while (this.#checkpointer?.inFlight) await this.#checkpointer.inFlight;
  }

  #commitBatchNow(ops: WriteOp[]): Outcome<KeyValue>[] | Promise<Outcome<KeyValue>[]> {
    const failed = this.#checkpointer?.failed;
    if (failed) throw new Error(`storage failed: ${failed.message}`);
    const outcomes: Outcome<KeyValue>[] = [];
    const events: WatchEvent[] = [];
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      for (const op of ops) {
        try {
          outcomes.push({ ok: true, value: this.#apply(op, events) });
        } catch (error) {
          if (!isPreconditionError(error)) throw error;
          outcomes.push({ ok: false, error });
        }
      }
      this.#db.exec("COMMIT");
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      this.#revision = this.#readStoredRevision();
      throw error;
    }
    this.#checkpointer?.noteWritten(estimatedWalPages(ops.length, batchBytes(ops)));
    const batch = { revision: this.#revision, events };
    if (!this.#durable) {
      this.#makeVisible(batch);
      return outcomes;
    }
    // Acknowledge on the next turn: in-process watchers (informers) then have the batch's events
    // before the writers' code goes on, as when the publish and the answers were synchronous.
    return this.#durable.add(batch).then(() =>
      new Promise<Outcome<KeyValue>[]>((resolve) => setImmediate(() => resolve(outcomes)))
    );
  }

  /** Shows a durable batch to readers and watchers, in commit order. */
  #makeVisible(batch: CommittedBatch): void {
    this.#visible = Math.max(this.#visible, batch.revision);
    this.#liveKeys?.apply(batch.events);
    this.#hub.publish(batch.events);
  }

  #apply(op: WriteOp, events: WatchEvent[]): KeyValue {
    const latest = this.#stmt.getLatest.get(op.key) as LogRow | undefined;
    const live = latest && latest.deleted === 0 ? latest : undefined;
    const revision = this.#revision + 1;
    switch (op.kind) {
      case "create": {
        if (live) throw new KeyExistsError(op.key);
        this.#insert(revision, op.key, { created: 1, deleted: 0 }, revision, latest, op.value);
        const kv = {
          key: op.key,
          value: op.value,
          createRevision: revision,
          modRevision: revision,
        };
        events.push({ type: "create", kv });
        return kv;
      }
      case "update": {
        if (!live) throw new KeyNotFoundError(op.key);
        if (live.id !== op.expected) throw new RevisionConflictError(op.key, op.expected, live.id);
        const createRevision = live.create_revision;
        this.#insert(revision, op.key, { created: 0, deleted: 0 }, createRevision, live, op.value);
        const kv = { key: op.key, value: op.value, createRevision, modRevision: revision };
        events.push({ type: "update", kv, prevKv: rowToKeyValue(live) });
        return kv;
      }
      case "delete": {
        if (!live) throw new KeyNotFoundError(op.key);
        if (op.expected !== undefined && op.expected !== 0 && live.id !== op.expected) {
          throw new RevisionConflictError(op.key, op.expected, live.id);
        }
        // The tombstone carries the deleted value, as kine's does, so history can replay it.
        const createRevision = live.create_revision;
        this.#insert(
          revision,
          op.key,
          { created: 0, deleted: 1 },
          createRevision,
          live,
          live.value,
        );
        const kv = { key: op.key, value: live.value, createRevision, modRevision: revision };
        events.push({ type: "delete", kv, prevKv: rowToKeyValue(live) });
        return kv;
      }
    }
  }

  #insert(
    revision: number,
    key: string,
    flags: { created: number; deleted: number },
    createRevision: number,
    previous: LogRow | undefined,
    value: string,
  ): void {
    this.#stmt.insert.run(
      revision,
      key,
      flags.created,
      flags.deleted,
      createRevision,
      previous?.id ?? 0,
      value,
    );
    this.#revision = revision;
  }

  *#readHistory(prefix: string, after: number, upTo: number): Generator<WatchEvent[]> {
    const { lower, upper } = prefixRange(prefix);
    let from = after;
    while (from < upTo && !this.#closed) {
      const rows = this.#stmt.history.all(
        from,
        upTo,
        lower,
        upper,
        HISTORY_CHUNK,
      ) as unknown as HistoryRow[];
      if (rows.length === 0) return;
      from = rows[rows.length - 1].id;
      yield rows.map(historyRowToEvent);
      if (rows.length < HISTORY_CHUNK) return;
    }
  }

  async #compact(revision: number): Promise<void> {
    this.#assertOpen();
    if (revision > this.#visible) throw new FutureRevisionError(revision, this.#visible);
    await this.#noCheckpoint();
    if (revision > this.#compactRevision) {
      // Raise the floor first: reads below it fail cleanly instead of seeing half-deleted history.
      this.#stmt.putMeta.run(META_COMPACT_REV, revision);
      this.#compactRevision = revision;
    }
    let done = this.#readMeta(META_COMPACT_DONE);
    while (done < this.#compactRevision && !this.#closed) {
      const to = Math.min(done + this.#compactBatch, this.#compactRevision);
      await this.#noCheckpoint();
      if (this.#closed) return;
      let removed = 0;
      this.#db.exec("BEGIN IMMEDIATE");
      try {
        removed += Number(this.#stmt.compactSuperseded.run(done, to).changes);
        removed += Number(this.#stmt.compactTombstones.run(done, to).changes);
        this.#stmt.putMeta.run(META_COMPACT_DONE, to);
        this.#db.exec("COMMIT");
      } catch (error) {
        if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
        throw error;
      }
      this.#checkpointer?.noteWritten(estimatedWalPages(removed, 0));
      done = to;
      // Let queued writes and reads run between chunks.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  #readRevision(requested: number | undefined): number {
    const current = this.#visible;
    if (!requested) return current;
    if (requested > current) throw new FutureRevisionError(requested, current);
    if (requested < this.#compactRevision) {
      throw new CompactedError(requested, this.#compactRevision);
    }
    return requested;
  }

  #liveKeyIndex(): LiveKeyIndex {
    // Built at the visible revision; batches not yet visible are applied when they become so.
    this.#liveKeys ??= new LiveKeyIndex(
      (this.#stmt.liveKeys.all(this.#visible) as unknown as { name: string }[]).map((row) =>
        row.name
      ),
    );
    return this.#liveKeys;
  }

  #readStoredRevision(): number {
    return (this.#stmt.currentRevision.get() as { revision: number }).revision;
  }

  #readMeta(name: string): number {
    const row = this.#stmt.getMeta.get(name) as { value: number } | undefined;
    return row?.value ?? 0;
  }

  /** Runs a synchronous read, turning its typed errors into a rejected promise. */
  #read<T>(read: () => T): Promise<T> {
    try {
      this.#assertOpen();
      return Promise.resolve(read());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error(`storage closed: ${this.path}`);
  }
}

/** A file opened only to fsync it; undefined when it cannot be (then SQLite syncs). */
function openForSync(path: string): Deno.FsFile | undefined {
  try {
    return Deno.openSync(path, { read: true });
  } catch {
    return undefined;
  }
}

/**
 * The key and value characters a batch writes. A deletion's tombstone copies the stored value,
 * which is not counted: the sum only feeds an estimate.
 */
function batchBytes(ops: WriteOp[]): number {
  let bytes = 0;
  for (const op of ops) bytes += op.key.length + (op.kind === "delete" ? 0 : op.value.length);
  return bytes;
}

function isPreconditionError(error: unknown): error is Error {
  return error instanceof KeyExistsError || error instanceof KeyNotFoundError ||
    error instanceof RevisionConflictError;
}
