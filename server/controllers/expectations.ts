/**
 * Controller expectations, as upstream's ReplicaSet controller keeps them: after asking for N
 * creations or deletions, a controller must not count its pods again until its cache has seen
 * them happen -- otherwise a sync that runs in between (another event, a status write) sees too
 * few pods and creates duplicates. Deletions are tracked by UID (upstream's
 * `UIDTrackingControllerExpectations`), so a deletion seen twice counts once. Expectations that
 * are never met (a lost event) expire.
 *
 * @module
 */

/** Options of {@link Expectations}. */
export interface ExpectationsOptions {
  /** How long unmet expectations hold a controller back (default 5 minutes, as upstream). */
  ttlMs?: number;
  /** Milliseconds since the epoch (tests may fix it). */
  now?: () => number;
}

interface Pending {
  creations: number;
  /** UIDs of pods whose deletion has not been seen yet. */
  deletions: Set<string>;
  since: number;
}

/** Pending creations and deletions per controller key. */
export class Expectations {
  #pending = new Map<string, Pending>();
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: ExpectationsOptions = {}) {
    this.#ttlMs = options.ttlMs ?? 5 * 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** True when nothing is pending for `key` (or what was pending expired): safe to count. */
  satisfied(key: string): boolean {
    const pending = this.#pending.get(key);
    if (!pending) return true;
    if (pending.creations <= 0 && pending.deletions.size === 0) return true;
    return this.#now() - pending.since > this.#ttlMs;
  }

  /**
   * Records the creations and deletions (by pod UID) about to be requested, replacing whatever
   * was pending: call before the requests, whose events may come first. One sync may ask for
   * both, and is then held back until both have been seen.
   */
  expect(key: string, wanted: { creations?: number; deletions?: readonly string[] }): void {
    this.#pending.set(key, {
      creations: wanted.creations ?? 0,
      deletions: new Set(wanted.deletions),
      since: this.#now(),
    });
  }

  /** A created object arrived in the cache, or a creation failed and will not arrive. */
  creationObserved(key: string): void {
    const pending = this.#pending.get(key);
    if (pending && pending.creations > 0) pending.creations--;
  }

  /** An object was seen going (deletion started or done), or its deletion failed. */
  deletionObserved(key: string, uid: string): void {
    this.#pending.get(key)?.deletions.delete(uid);
  }

  /** Forgets a controller (deleted). */
  delete(key: string): void {
    this.#pending.delete(key);
  }
}
