/**
 * Group commit: write requests that arrive within one macrotask are queued and handed to a
 * single transaction at the next turn of the event loop (`setImmediate`, which unlike a nested
 * `setTimeout(0)` is not clamped to 4 ms). One fsync then acknowledges the whole group.
 *
 * A commit may finish asynchronously (its fsync running off the main thread): writes that arrive
 * meanwhile wait and form the next group, committed once the running one settled -- one
 * transaction and one fsync per round, however many writers there are.
 *
 * @module
 */

import { setImmediate } from "node:timers";

/** The result of one operation inside a batch: each fails or succeeds on its own. */
export type Outcome<R> = { ok: true; value: R } | { ok: false; error: Error };

/** Options for {@link GroupCommitter}. */
export interface GroupCommitOptions<Op, R> {
  /**
   * Applies a batch in one transaction and returns one outcome per operation, in order, or a
   * promise of them. The outcomes are acknowledged as soon as they are returned (or the promise
   * resolves), so that must happen only once the transaction is durable; throwing (or
   * rejecting) fails every operation of the batch.
   */
  commit(ops: Op[]): Outcome<R>[] | Promise<Outcome<R>[]>;
  /** Upper bound on operations per transaction (default 1000). */
  maxBatch?: number;
}

interface Pending<Op, R> {
  op: Op;
  resolve(value: R): void;
  reject(error: Error): void;
}

/** Queues operations and commits them in groups; see the module docs. */
export class GroupCommitter<Op, R> {
  readonly #commit: (ops: Op[]) => Outcome<R>[] | Promise<Outcome<R>[]>;
  readonly #maxBatch: number;
  #queue: Pending<Op, R>[] = [];
  #scheduled = false;
  /** Batches committed whose outcomes are still awaited (asynchronous commits). */
  #settling = 0;
  #idle: (() => void)[] = [];

  /** @param options the batch function and the batch bound. */
  constructor(options: GroupCommitOptions<Op, R>) {
    this.#commit = options.commit;
    this.#maxBatch = options.maxBatch ?? 1000;
  }

  /**
   * Queues one operation.
   * @returns its value once the transaction holding it committed.
   * @throws the operation's own error (e.g. a precondition failure), or the batch's error.
   */
  submit(op: Op): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ op, resolve, reject });
      this.#schedule();
    });
  }

  /** Resolves once every operation queued so far has been committed or failed. */
  drain(): Promise<void> {
    if (this.#queue.length === 0 && this.#settling === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #schedule(): void {
    if (this.#scheduled || this.#settling > 0) return;
    this.#scheduled = true;
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#scheduled = false;
    if (this.#settling > 0) return;
    const batch = this.#queue.splice(0, this.#maxBatch);
    if (this.#queue.length > 0) this.#schedule();
    if (batch.length > 0) this.#run(batch);
    this.#notifyIdle();
  }

  #notifyIdle(): void {
    if (this.#queue.length > 0 || this.#settling > 0) return;
    const idle = this.#idle;
    this.#idle = [];
    for (const resolve of idle) resolve();
  }

  #run(batch: Pending<Op, R>[]): void {
    let result: Outcome<R>[] | Promise<Outcome<R>[]>;
    try {
      result = this.#commit(batch.map((p) => p.op));
    } catch (error) {
      settle(batch, error);
      return;
    }
    if (!(result instanceof Promise)) {
      settle(batch, undefined, result);
      return;
    }
    this.#settling++;
    result.then(
      (outcomes) => settle(batch, undefined, outcomes),
      (error) => settle(batch, error),
    ).finally(() => {
      this.#settling--;
      if (this.#queue.length > 0) this.#schedule();
      this.#notifyIdle();
    });
  }
}

function settle<Op, R>(batch: Pending<Op, R>[], error: unknown, outcomes?: Outcome<R>[]): void {
  if (!outcomes) {
    const failure = error instanceof Error ? error : new Error(String(error));
    for (const pending of batch) pending.reject(failure);
    return;
  }
  batch.forEach((pending, i) => {
    const outcome = outcomes[i];
    if (outcome.ok) pending.resolve(outcome.value);
    else pending.reject(outcome.error);
  });
}
