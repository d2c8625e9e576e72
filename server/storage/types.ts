/**
 * The datastore contract: a revisioned key/value log in kine's model. Every create, update and
 * delete appends one row with a new, cluster-wide revision; reads are "latest row per key at
 * revision R". SQLite (default) and PostgreSQL (HA) implement {@link Backend}.
 *
 * @module
 */

/** One key at one revision. */
export interface KeyValue {
  /** e.g. `/registry/pods/default/web-0`. */
  key: string;
  /** The object, serialised JSON. */
  value: string;
  /** Revision at which this key was (last) created. */
  createRevision: number;
  /** Revision of this version of the key: the object's resourceVersion. */
  modRevision: number;
}

/** One change in the log, as a watcher sees it. */
export interface WatchEvent {
  type: "create" | "update" | "delete";
  /** For deletes: the deleted value, with `modRevision` = the delete's revision. */
  kv: KeyValue;
  /** The value before this change (update and delete). */
  prevKv?: KeyValue;
}

/** Options for {@link Backend.get}. */
export interface GetOptions {
  /** Read as of this revision (0 or absent: latest). */
  revision?: number;
}

/** Options for {@link Backend.list}. */
export interface ListOptions {
  /** Read as of this revision (0 or absent: latest). Pagination passes the first page's revision. */
  revision?: number;
  /** Return keys strictly greater than this (the continue token's last key). */
  startAfter?: string;
  /** At most this many items (0 or absent: all). */
  limit?: number;
  /**
   * `false`: {@link ListResult.remaining} only says whether more keys follow (1) or not (0),
   * without counting them. A filtered list needs no more, and the count of an older revision's
   * rest is a scan of it.
   */
  countRemaining?: boolean;
}

/** The answer of {@link Backend.list}. */
export interface ListResult {
  /** The revision the list was read at. */
  revision: number;
  kvs: KeyValue[];
  /** How many more keys match after the last returned one (see {@link ListOptions.countRemaining}). */
  remaining: number;
}

/** Options for {@link Backend.watch}. */
export interface WatchOptions {
  /** Deliver events with revision strictly greater than this. */
  afterRevision: number;
  /** Ends the watch; the iterator then finishes. */
  signal: AbortSignal;
}

/** A revisioned key/value store. Keys are `/`-separated; prefixes end in `/`. */
export interface Backend {
  /** The newest revision in the log (0 when empty). */
  currentRevision(): Promise<number>;

  /** Reads one key; `kv` is undefined if it does not exist (at that revision). */
  get(key: string, options?: GetOptions): Promise<{ revision: number; kv?: KeyValue }>;

  /** Lists keys under a prefix in key order at one consistent revision. */
  list(prefix: string, options?: ListOptions): Promise<ListResult>;

  /** Counts live keys under a prefix. */
  count(prefix: string): Promise<{ revision: number; count: number }>;

  /**
   * Creates a key. Throws {@link KeyExistsError} if it exists.
   * @returns the new revision.
   */
  create(key: string, value: string): Promise<KeyValue>;

  /**
   * Replaces a key's value if its current modRevision is `expectedRevision`.
   * Throws {@link KeyNotFoundError} or {@link RevisionConflictError}.
   */
  update(key: string, value: string, expectedRevision: number): Promise<KeyValue>;

  /**
   * Deletes a key, if `expectedRevision` is given only when it is current.
   * Throws {@link KeyNotFoundError} or {@link RevisionConflictError}.
   * @returns the deleted value, with `modRevision` = the delete's revision.
   */
  delete(key: string, expectedRevision?: number): Promise<KeyValue>;

  /**
   * Streams changes under a prefix, batched, in revision order, starting after
   * `options.afterRevision`. Throws {@link CompactedError} (at once, before yielding) when that
   * revision has been compacted away.
   */
  watch(prefix: string, options: WatchOptions): AsyncIterable<WatchEvent[]>;

  /**
   * Resolves once every change up to `revision` has reached the watches open now: a consumer
   * that handles its watch's batches in promise jobs (no timers, no I/O) has applied them.
   * A cache fed by a watch (the pods-by-node index) awaits it to answer as of `revision` without
   * a read of its own, however long ago its last matching change was. `revision` is one
   * {@link currentRevision} answered; a later one rejects with {@link FutureRevisionError}.
   */
  watchesCaughtUp(revision: number): Promise<void>;

  /** Removes history at or below `revision`, keeping each key's latest live row. */
  compact(revision: number): Promise<void>;

  /** The oldest revision still readable (reads/watches below it throw {@link CompactedError}). */
  compactRevision(): Promise<number>;

  /** Flushes pending writes and closes the store. */
  close(): Promise<void>;
}

/** The key already exists (create). */
export class KeyExistsError extends Error {
  constructor(readonly key: string) {
    super(`key exists: ${key}`);
    this.name = "KeyExistsError";
  }
}

/** The key does not exist (update, delete). */
export class KeyNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`key not found: ${key}`);
    this.name = "KeyNotFoundError";
  }
}

/** The caller's expected revision is not the key's current one. */
export class RevisionConflictError extends Error {
  constructor(readonly key: string, readonly expected: number, readonly actual: number) {
    super(`revision conflict on ${key}: expected ${expected}, current ${actual}`);
    this.name = "RevisionConflictError";
  }
}

/** The requested revision is older than the compacted revision. */
export class CompactedError extends Error {
  constructor(readonly requested: number, readonly compacted: number) {
    super(
      `required revision ${requested} has been compacted (oldest available revision is ${compacted})`,
    );
    this.name = "CompactedError";
  }
}

/** The requested revision is newer than the store's current revision. */
export class FutureRevisionError extends Error {
  constructor(readonly requested: number, readonly current: number) {
    super(`required revision ${requested} is a future revision (current is ${current})`);
    this.name = "FutureRevisionError";
  }
}
