/**
 * The datastore: the {@link Backend} contract, its SQLite implementation, the watch fan-out and
 * group-commit pieces a PostgreSQL backend can reuse, the compactor, and the shared
 * conformance suite.
 *
 * @module
 */

export * from "./types.ts";
export { openSqliteBackend, type SqliteBackend, type SqliteBackendOptions } from "./sqlite.ts";
export {
  type Subscription,
  WatchHub,
  type WatchHubOptions,
  WatchOverflowError,
} from "./watch_hub.ts";
export { type GroupCommitOptions, GroupCommitter, type Outcome } from "./group_commit.ts";
export {
  compactOnce,
  type CompactorOptions,
  DEFAULT_COMPACT_INTERVAL_MS,
  DEFAULT_KEEP_REVISIONS,
  startCompactor,
} from "./compactor.ts";
