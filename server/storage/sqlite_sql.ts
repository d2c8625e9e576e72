/**
 * The SQLite dialect's statements, as named constants. The table follows kine's layout: one row
 * per change, `id` = the change's revision, `prev_revision` linking a key's rows into a chain.
 *
 * Every "latest row per key" read takes a name range (`name >= lower AND name < upper`) rather
 * than `LIKE`, so SQLite walks the `(name, id)` index directly.
 *
 * @module
 */

/** Columns every row-returning statement selects, in this order. */
const ROW_COLUMNS =
  "k.id, k.name, k.created, k.deleted, k.create_revision, k.prev_revision, k.value";

/**
 * The schema. `AUTOINCREMENT` keeps revisions from being reused when compaction deletes the
 * newest row (a tombstone). No unique `(name, prev_revision)` index as kine has: there is one
 * writer, which checks preconditions in code, and each extra index costs every insert.
 */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS kine (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  lease INTEGER NOT NULL DEFAULT 0,
  value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS kine_name_id_index ON kine (name, id);
CREATE TABLE IF NOT EXISTS kine_meta (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
`;

/** Connection settings applied at open; `synchronous` is set separately from the options. */
export const PRAGMAS = `
PRAGMA journal_mode = WAL;
PRAGMA busy_timeout = 5000;
PRAGMA foreign_keys = OFF;
`;

/** The newest revision ever handed out (survives compaction of the newest row). */
export const CURRENT_REVISION = `
SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'kine'), 0) AS revision`;

/** Reads a meta value (`compact_rev`, `compact_done`). */
export const GET_META = "SELECT value FROM kine_meta WHERE name = ?";

/** Writes a meta value. */
export const PUT_META =
  "INSERT INTO kine_meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value";

/** The newest row of one key, deleted or not. */
export const GET_LATEST = `
SELECT ${ROW_COLUMNS} FROM kine k WHERE k.name = ? ORDER BY k.id DESC LIMIT 1`;

/** The newest row of one key at or below a revision. */
export const GET_AT_REVISION = `
SELECT ${ROW_COLUMNS} FROM kine k WHERE k.name = ? AND k.id <= ? ORDER BY k.id DESC LIMIT 1`;

/**
 * The subquery is covered by the `(name, id)` index; only each key's winning row is fetched from
 * the table. Ordering by the subquery's `name` lets SQLite stream it in index order (no temp
 * B-tree), so `LIMIT` stops the scan early on large prefixes. `lowerOp` is `>=` (prefix start)
 * or `>` (after a continue key).
 */
function latestPerKey(lowerOp: ">=" | ">"): string {
  return `
SELECT MAX(id) AS id, name FROM kine
WHERE name ${lowerOp} ? AND name < ? AND id <= ?
GROUP BY name ORDER BY name`;
}

function listStatement(lowerOp: ">=" | ">"): string {
  return `
SELECT ${ROW_COLUMNS} FROM (${latestPerKey(lowerOp)}) m CROSS JOIN kine k ON k.id = m.id
WHERE k.deleted = 0
ORDER BY m.name
LIMIT ?`;
}

function countStatement(lowerOp: ">=" | ">"): string {
  return `
SELECT COUNT(*) AS count FROM (${latestPerKey(lowerOp)}) m CROSS JOIN kine k ON k.id = m.id
WHERE k.deleted = 0`;
}

/** Live keys in `[lower, upper)` at a revision. Params: lower, upper, revision, limit (-1: all). */
export const LIST_FROM = listStatement(">=");

/** Live keys in `(lower, upper)` at a revision. Params: lower, upper, revision, limit (-1: all). */
export const LIST_AFTER = listStatement(">");

/**
 * Counts live keys in `(lower, upper)` at a revision: for pages read at an older revision (the
 * newest is counted in memory).
 */
export const COUNT_AFTER = countStatement(">");

/** Every live key at a revision (for the in-memory index in `live_keys.ts`). Params: revision. */
export const LIVE_KEYS = `
SELECT k.name FROM (SELECT MAX(id) AS id FROM kine WHERE id <= ? GROUP BY name) m
CROSS JOIN kine k ON k.id = m.id
WHERE k.deleted = 0`;

/**
 * Appends one row. The id (= the change's revision) is given explicitly so a create row can
 * carry its own revision as `create_revision`; there is one writer, so it is always max + 1.
 */
export const INSERT_ROW = `
INSERT INTO kine (id, name, created, deleted, create_revision, prev_revision, lease, value)
VALUES (?, ?, ?, ?, ?, ?, 0, ?)`;

/**
 * Changes in a name range after a revision, oldest first, each with the row it replaced (for
 * `prevKv`). Params: after, upTo, lower, upper, limit.
 */
export const HISTORY = `
SELECT ${ROW_COLUMNS},
  p.id AS p_id, p.deleted AS p_deleted, p.create_revision AS p_create_revision, p.value AS p_value
FROM kine k LEFT JOIN kine p ON p.id = k.prev_revision
WHERE k.id > ? AND k.id <= ? AND k.name >= ? AND k.name < ?
ORDER BY k.id
LIMIT ?`;

/**
 * Compaction, one id window at a time: rows superseded by a change inside `(from, to]`. A row's
 * predecessor always has a smaller id, so it lies at or below `to` as well.
 */
export const COMPACT_SUPERSEDED = `
DELETE FROM kine WHERE id IN (
  SELECT prev_revision FROM kine WHERE id > ? AND id <= ? AND prev_revision != 0
)`;

/** Compaction: tombstones inside `(from, to]`. */
export const COMPACT_TOMBSTONES = "DELETE FROM kine WHERE id > ? AND id <= ? AND deleted = 1";
