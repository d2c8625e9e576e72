/**
 * Decoding of `kine` rows into the storage contract's values, and the key-range helper shared by
 * every prefix query.
 *
 * @module
 */

import type { KeyValue, WatchEvent } from "./types.ts";

/** One `kine` row as the statements in `sqlite_sql.ts` select it. */
export interface LogRow {
  id: number;
  name: string;
  created: number;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  value: string;
}

/** A {@link LogRow} joined with the row it replaced (the `HISTORY` statement). */
export interface HistoryRow extends LogRow {
  p_id: number | null;
  p_deleted: number | null;
  p_create_revision: number | null;
  p_value: string | null;
}

/** The key-value a row holds; `modRevision` is the row's own revision. */
export function rowToKeyValue(row: LogRow): KeyValue {
  return {
    key: row.name,
    value: row.value,
    createRevision: row.create_revision,
    modRevision: row.id,
  };
}

/** The watch event a history row stands for. */
export function historyRowToEvent(row: HistoryRow): WatchEvent {
  const kv = rowToKeyValue(row);
  if (row.created === 1) return { type: "create", kv };
  const prevKv: KeyValue | undefined = row.p_id === null || row.p_deleted === 1 ? undefined : {
    key: row.name,
    value: row.p_value ?? "",
    createRevision: row.p_create_revision ?? 0,
    modRevision: row.p_id,
  };
  return { type: row.deleted === 1 ? "delete" : "update", kv, prevKv };
}

/**
 * The half-open name range `[lower, upper)` holding every key that starts with `prefix`. The
 * upper bound bumps the last UTF-16 unit, which orders the same way as SQLite's byte-wise
 * comparison of the UTF-8 text for the ASCII keys Kubernetes uses.
 */
export function prefixRange(prefix: string): { lower: string; upper: string } {
  if (prefix === "") return { lower: "", upper: "\u{10FFFF}" };
  const last = prefix.charCodeAt(prefix.length - 1);
  return { lower: prefix, upper: prefix.slice(0, -1) + String.fromCharCode(last + 1) };
}
