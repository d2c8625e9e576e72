/**
 * The back-off between replacing failed daemon pods on one node, as upstream's daemon controller
 * keeps it (client-go's `flowcontrol.Backoff`, 1 s doubling to 15 min): a pod that fails at once
 * on every start is not deleted and recreated in a tight loop. A key quiet for twice the ceiling
 * starts again from the first delay.
 *
 * @module
 */

/** Options of {@link FailedPodBackoff}. */
export interface FailedPodBackoffOptions {
  /** First delay (default 1 s). */
  initialMs?: number;
  /** Ceiling (default 15 min). */
  maxMs?: number;
}

interface Entry {
  delayMs: number;
  lastAt: number;
}

/** Per-key back-off; keys are `<daemonset uid>/<node>`. */
export class FailedPodBackoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  #entries = new Map<string, Entry>();

  constructor(options: FailedPodBackoffOptions = {}) {
    this.#initialMs = options.initialMs ?? 1_000;
    this.#maxMs = options.maxMs ?? 15 * 60_000;
  }

  /** How long `key` must still wait at `now` (0 when it may act). */
  remainingMs(key: string, now: number): number {
    const entry = this.#entries.get(key);
    if (!entry) return 0;
    return Math.max(0, entry.lastAt + entry.delayMs - now);
  }

  /** Records an action at `now`: the next one waits the doubled delay. */
  next(key: string, now: number): void {
    const entry = this.#entries.get(key);
    if (!entry || now - entry.lastAt > 2 * this.#maxMs) {
      this.#entries.set(key, { delayMs: this.#initialMs, lastAt: now });
      return;
    }
    entry.delayMs = Math.min(entry.delayMs * 2, this.#maxMs);
    entry.lastAt = now;
  }

  /** Forgets every key starting with `prefix` (a DaemonSet that was deleted). */
  forgetPrefix(prefix: string): void {
    for (const key of this.#entries.keys()) if (key.startsWith(prefix)) this.#entries.delete(key);
  }
}
