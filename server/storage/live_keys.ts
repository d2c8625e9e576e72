/**
 * The set of live keys at the newest revision, kept sorted in memory so "how many keys follow
 * this one under a prefix" (a list page's `remaining`) is a few binary searches instead of a
 * scan of the log. SQLite has no counted B-trees: counting the latest row per key costs about a
 * microsecond per key, which made every paged list of a large namespace cost milliseconds.
 *
 * Keys are held in sorted chunks of at most {@link CHUNK} keys, so adding or removing one moves
 * at most a chunk's worth of entries, however many keys there are.
 *
 * Only the one process that writes the datastore may keep this index: it is updated from each
 * committed batch, after COMMIT.
 *
 * Keys compare as JavaScript strings (UTF-16 code units), which orders like SQLite's byte-wise
 * comparison of UTF-8 text for every key without characters beyond U+FFFF; Kubernetes keys are
 * ASCII.
 *
 * @module
 */

import type { WatchEvent } from "./types.ts";

/** Keys per chunk; a full chunk splits in two. */
const CHUNK = 512;

/** Sorted live keys; see the module docs. */
export class LiveKeyIndex {
  /** Non-empty sorted chunks, in order; empty when there are no keys. */
  #chunks: string[][] = [];
  #size = 0;

  /** @param keys every live key, in any order. */
  constructor(keys: string[]) {
    const sorted = [...new Set(keys)].sort(compare);
    for (let i = 0; i < sorted.length; i += CHUNK) this.#chunks.push(sorted.slice(i, i + CHUNK));
    this.#size = sorted.length;
  }

  /** How many keys are live. */
  get size(): number {
    return this.#size;
  }

  /** Applies one committed batch: creates add their key, deletes remove it. */
  apply(events: readonly WatchEvent[]): void {
    for (const event of events) {
      if (event.type === "create") this.#add(event.kv.key);
      else if (event.type === "delete") this.#remove(event.kv.key);
    }
  }

  /** Live keys `k` with `lower < k < upper` (or `lower <= k` when `inclusive`). */
  countBetween(lower: string, upper: string, inclusive = false): number {
    const from = this.#rank(lower, !inclusive);
    const to = this.#rank(upper, false);
    return Math.max(0, to - from);
  }

  /** How many keys sort before `key` (and also equal to it, with `orEqual`). */
  #rank(key: string, orEqual: boolean): number {
    let rank = 0;
    for (const chunk of this.#chunks) {
      const last = chunk[chunk.length - 1];
      if (last < key || (orEqual && last === key)) {
        rank += chunk.length;
        continue;
      }
      return rank + bound(chunk, key, orEqual);
    }
    return rank;
  }

  #add(key: string): void {
    const c = this.#chunkFor(key);
    if (c < 0) {
      this.#chunks.push([key]);
      this.#size++;
      return;
    }
    const chunk = this.#chunks[c];
    const at = bound(chunk, key, false);
    if (chunk[at] === key) return;
    chunk.splice(at, 0, key);
    this.#size++;
    if (chunk.length > CHUNK) this.#chunks.splice(c + 1, 0, chunk.splice(CHUNK / 2));
  }

  #remove(key: string): void {
    const c = this.#chunkFor(key);
    if (c < 0) return;
    const chunk = this.#chunks[c];
    const at = bound(chunk, key, false);
    if (chunk[at] !== key) return;
    chunk.splice(at, 1);
    this.#size--;
    if (chunk.length === 0) this.#chunks.splice(c, 1);
  }

  /** The chunk `key` belongs in: the first whose last key is >= it, else the last; -1: none. */
  #chunkFor(key: string): number {
    const chunks = this.#chunks;
    if (chunks.length === 0) return -1;
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const last = chunks[mid][chunks[mid].length - 1];
      if (last < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** The first index in sorted `keys` whose key is >= `key` (> `key` with `afterEqual`). */
function bound(keys: string[], key: string, afterEqual: boolean): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < key || (afterEqual && keys[mid] === key)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
