/**
 * In-process fan-out of committed changes to watchers. A backend publishes each committed batch
 * once; every subscriber whose prefix matches gets the matching events appended to its own
 * buffer, so a watcher that stops reading never blocks the writer. Wake-ups are promise
 * resolutions (no timers), which keeps delivery latency at one microtask hop.
 *
 * @module
 */

import { CompactedError, type WatchEvent } from "./types.ts";

/**
 * A watcher fell too far behind and was ended. It extends {@link CompactedError} on purpose: the
 * client must re-list, exactly as after compaction (HTTP 410 Gone).
 */
export class WatchOverflowError extends CompactedError {
  constructor(readonly lastRevision: number, readonly limit: number) {
    super(lastRevision, lastRevision);
    this.name = "WatchOverflowError";
    this.message =
      `watcher ended: more than ${limit} undelivered events after revision ${lastRevision}`;
  }
}

/** Options for {@link WatchHub}. */
export interface WatchHubOptions {
  /** A subscriber with more undelivered events than this is ended with {@link WatchOverflowError}. */
  maxBufferedEvents?: number;
}

/** One subscriber's queue, read with {@link Subscription.next}. */
export interface Subscription {
  /**
   * Waits for events and returns everything buffered so far as one batch (in revision order),
   * or `undefined` once the subscription ended (abort, unsubscribe, hub closed).
   * @throws {WatchOverflowError} when the buffer overflowed.
   */
  next(): Promise<WatchEvent[] | undefined>;
  /** Stops delivery and releases the buffer. */
  unsubscribe(): void;
}

const DEFAULT_MAX_BUFFERED_EVENTS = 100_000;

class Subscriber implements Subscription {
  #buffer: WatchEvent[] = [];
  #wake: (() => void) | undefined;
  #ended = false;
  #error: Error | undefined;

  constructor(
    readonly prefix: string,
    readonly maxBuffered: number,
    readonly onEnd: (s: Subscriber) => void,
  ) {}

  push(events: WatchEvent[]): void {
    if (this.#ended) return;
    for (const event of events) {
      if (event.kv.key.startsWith(this.prefix)) this.#buffer.push(event);
    }
    if (this.#buffer.length > this.maxBuffered) {
      const last = this.#buffer[0].kv.modRevision - 1;
      this.#buffer = [];
      this.end(new WatchOverflowError(last, this.maxBuffered));
      return;
    }
    if (this.#buffer.length > 0) this.#wakeUp();
  }

  end(error?: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    this.onEnd(this);
    this.#wakeUp();
  }

  async next(): Promise<WatchEvent[] | undefined> {
    while (this.#buffer.length === 0 && !this.#ended) {
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
    if (this.#buffer.length > 0) {
      const batch = this.#buffer;
      this.#buffer = [];
      return batch;
    }
    if (this.#error) throw this.#error;
    return undefined;
  }

  unsubscribe(): void {
    this.#buffer = [];
    this.end();
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

/** Fans committed events out to prefix subscribers. One hub per backend. */
export class WatchHub {
  readonly #subscribers = new Set<Subscriber>();
  readonly #maxBuffered: number;
  #closed = false;

  /** @param options buffer bound per subscriber (default 100,000 events). */
  constructor(options: WatchHubOptions = {}) {
    this.#maxBuffered = options.maxBufferedEvents ?? DEFAULT_MAX_BUFFERED_EVENTS;
  }

  /** How many subscriptions are live (for tests and metrics). */
  get size(): number {
    return this.#subscribers.size;
  }

  /**
   * Registers a subscriber for keys starting with `prefix`. Events published after this call
   * are buffered until read. Aborting `signal` ends the subscription.
   */
  subscribe(prefix: string, signal: AbortSignal): Subscription {
    const subscriber = new Subscriber(prefix, this.#maxBuffered, (s) => {
      this.#subscribers.delete(s);
      signal.removeEventListener("abort", onAbort);
    });
    const onAbort = () => subscriber.end();
    if (this.#closed || signal.aborted) {
      subscriber.end();
      return subscriber;
    }
    this.#subscribers.add(subscriber);
    signal.addEventListener("abort", onAbort, { once: true });
    return subscriber;
  }

  /** Delivers one committed batch, in revision order, to every matching subscriber. */
  publish(events: WatchEvent[]): void {
    if (events.length === 0) return;
    for (const subscriber of this.#subscribers) subscriber.push(events);
  }

  /** Ends every subscription; later subscriptions end at once. */
  close(): void {
    this.#closed = true;
    for (const subscriber of [...this.#subscribers]) subscriber.end();
  }
}
