/**
 * The scheduling queue, after upstream's: pending pods wait in an *active* heap (higher priority
 * first, then first come), a pod that fit nowhere waits in the *unschedulable* pool until the
 * cluster changes in a way that might let it fit (a node added or changed, a pod removed), and a
 * pod that comes back too soon after a failed attempt sits out its *back-off* (1 s doubling to
 * 10 s) first. Pods left unschedulable for 5 minutes are retried anyway, as a safety net. Pods
 * with scheduling gates wait until the gates are removed.
 *
 * @module
 */
import type { KubeObject } from "../../kube/types.ts";
import { podSpec } from "./api_types.ts";
import { BinaryHeap } from "./binary_heap.ts";

/** Where a queued pod is. `scheduling` covers the attempt and its binding. */
export type QueueState = "active" | "backoff" | "unschedulable" | "gated" | "scheduling";

/** One pending pod in the queue. */
export interface QueuedPod {
  readonly uid: string;
  /** The newest version the informer delivered. */
  pod: KubeObject;
  state: QueueState;
  /** Failed attempts so far; the back-off doubles with each. */
  attempts: number;
  /** When the last attempt failed (ms), for the back-off. */
  failedAt: number;
  /** When it entered the unschedulable pool (ms). */
  unschedulableSince: number;
  /** Order among equal priorities: later arrivals get larger numbers. */
  seq: number;
  /** Bumped on every heap insertion; stale heap slots are skipped. */
  ticket: number;
}

/** Options of {@link SchedulingQueue}. */
export interface SchedulingQueueOptions {
  /** First back-off after a failed attempt (default 1000 ms); doubles per attempt. */
  initialBackoffMs?: number;
  /** Longest back-off (default 10 000 ms). */
  maxBackoffMs?: number;
  /** Unschedulable pods are retried after this long even without a cluster change (5 min). */
  maxUnschedulableMs?: number;
  /** Milliseconds since the epoch; tests may fix it. */
  now?: () => number;
}

interface Slot {
  entry: QueuedPod;
  ticket: number;
}

/** Pending pods, ordered, with back-off and an unschedulable pool. */
export class SchedulingQueue {
  readonly #entries = new Map<string, QueuedPod>();
  readonly #active = new BinaryHeap<Slot>((a, b) => {
    const pa = podSpec(a.entry.pod).priority ?? 0;
    const pb = podSpec(b.entry.pod).priority ?? 0;
    return pa !== pb ? pa > pb : a.entry.seq < b.entry.seq;
  });
  readonly #backoff = new BinaryHeap<Slot>((a, b) =>
    this.#readyAt(a.entry) < this.#readyAt(b.entry)
  );
  readonly #unschedulable = new Set<QueuedPod>();
  readonly #initialBackoff: number;
  readonly #maxBackoff: number;
  readonly #maxUnschedulable: number;
  readonly #now: () => number;
  #seq = 0;
  #activeCount = 0;
  #waiters: (() => void)[] = [];
  #backoffTimer?: ReturnType<typeof setTimeout>;
  #backoffTimerAt = Infinity;
  #leftoverTimer?: ReturnType<typeof setInterval>;
  #closed = false;

  constructor(options: SchedulingQueueOptions = {}) {
    this.#initialBackoff = options.initialBackoffMs ?? 1000;
    this.#maxBackoff = options.maxBackoffMs ?? 10_000;
    this.#maxUnschedulable = options.maxUnschedulableMs ?? 300_000;
    this.#now = options.now ?? Date.now;
    // Upstream looks for leftover unschedulable pods every 30 s.
    const sweep = Math.min(30_000, this.#maxUnschedulable);
    this.#leftoverTimer = setInterval(() => this.#flushLeftovers(), sweep);
  }

  /** How many pods are queued in any state (including those being scheduled). */
  get size(): number {
    return this.#entries.size;
  }

  /** How many pods are ready to be tried now. */
  get activeCount(): number {
    return this.#activeCount;
  }

  /** The uids of every queued pod. */
  uids(): string[] {
    return [...this.#entries.keys()];
  }

  /** The queued pod with this uid. */
  get(uid: string): QueuedPod | undefined {
    return this.#entries.get(uid);
  }

  /**
   * Adds a pending pod, or takes a newer version of one already queued. A changed spec or labels
   * make an unschedulable pod worth another try (after its back-off).
   */
  add(pod: KubeObject): void {
    if (this.#closed) return;
    const uid = pod.metadata.uid!;
    const entry = this.#entries.get(uid);
    if (!entry) {
      const created: QueuedPod = {
        uid,
        pod,
        state: "gated",
        attempts: 0,
        failedAt: 0,
        unschedulableSince: 0,
        seq: 0,
        ticket: 0,
      };
      this.#entries.set(uid, created);
      if (!isGated(pod)) this.#activate(created);
      return;
    }
    const relevant = schedulingInputChanged(entry.pod, pod);
    entry.pod = pod;
    if (entry.state === "gated" && !isGated(pod)) this.#activate(entry);
    else if (entry.state === "unschedulable" && relevant) this.#requeue(entry);
  }

  /** Forgets a pod (deleted, bound elsewhere, or no longer ours). */
  delete(uid: string): void {
    const entry = this.#entries.get(uid);
    if (!entry) return;
    this.#leave(entry);
    this.#entries.delete(uid);
  }

  /** Takes the next pod to try, or undefined when none is ready. */
  tryPop(): QueuedPod | undefined {
    for (;;) {
      const slot = this.#active.pop();
      if (!slot) return undefined;
      const { entry, ticket } = slot;
      if (entry.ticket !== ticket || entry.state !== "active") continue;
      this.#activeCount--;
      entry.state = "scheduling";
      return entry;
    }
  }

  /** Waits for the next pod to try; undefined once the signal aborts or the queue closes. */
  async pop(signal: AbortSignal): Promise<QueuedPod | undefined> {
    for (;;) {
      if (signal.aborted || this.#closed) return undefined;
      const entry = this.tryPop();
      if (entry) return entry;
      await new Promise<void>((resolve) => {
        const wake = () => {
          signal.removeEventListener("abort", wake);
          resolve();
        };
        signal.addEventListener("abort", wake, { once: true });
        this.#waiters.push(wake);
      });
    }
  }

  /** The pod was bound: it leaves the queue. */
  scheduled(entry: QueuedPod): void {
    if (this.#entries.get(entry.uid) === entry) this.#entries.delete(entry.uid);
    entry.state = "scheduling";
  }

  /** The pod fits no node now: it waits for a cluster change. */
  unschedulable(entry: QueuedPod): void {
    if (this.#entries.get(entry.uid) !== entry || entry.state !== "scheduling") return;
    entry.attempts++;
    entry.failedAt = this.#now();
    entry.state = "unschedulable";
    entry.unschedulableSince = entry.failedAt;
    this.#unschedulable.add(entry);
  }

  /** The attempt failed for another reason (a binding error): retry after the back-off. */
  retry(entry: QueuedPod): void {
    if (this.#entries.get(entry.uid) !== entry || entry.state !== "scheduling") return;
    entry.attempts++;
    entry.failedAt = this.#now();
    this.#toBackoff(entry);
  }

  /**
   * The cluster changed in a way that may let unschedulable pods fit: each goes back to the
   * active heap, or to back-off if its last attempt was too recent.
   */
  moveAllUnschedulable(): void {
    for (const entry of [...this.#unschedulable]) this.#requeue(entry);
  }

  /** Stops the timers and wakes every waiter. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#backoffTimer);
    clearInterval(this.#leftoverTimer);
    this.#wake();
  }

  #readyAt(entry: QueuedPod): number {
    if (entry.attempts === 0) return 0;
    const backoff = Math.min(
      this.#initialBackoff * 2 ** (entry.attempts - 1),
      this.#maxBackoff,
    );
    return entry.failedAt + backoff;
  }

  #leave(entry: QueuedPod): void {
    if (entry.state === "active") this.#activeCount--;
    if (entry.state === "unschedulable") this.#unschedulable.delete(entry);
    entry.ticket++;
    entry.state = "gated";
  }

  #activate(entry: QueuedPod): void {
    this.#leave(entry);
    entry.state = "active";
    entry.seq = ++this.#seq;
    this.#active.push({ entry, ticket: entry.ticket });
    this.#activeCount++;
    this.#wake();
  }

  #toBackoff(entry: QueuedPod): void {
    this.#leave(entry);
    entry.state = "backoff";
    this.#backoff.push({ entry, ticket: entry.ticket });
    this.#armBackoffTimer();
  }

  #requeue(entry: QueuedPod): void {
    if (isGated(entry.pod)) {
      this.#leave(entry);
      return;
    }
    if (this.#readyAt(entry) > this.#now()) this.#toBackoff(entry);
    else this.#activate(entry);
  }

  #armBackoffTimer(): void {
    for (;;) {
      const next = this.#backoff.peek();
      if (!next) return;
      if (next.entry.ticket !== next.ticket || next.entry.state !== "backoff") {
        this.#backoff.pop();
        continue;
      }
      const at = this.#readyAt(next.entry);
      if (at >= this.#backoffTimerAt || this.#closed) return;
      clearTimeout(this.#backoffTimer);
      this.#backoffTimerAt = at;
      this.#backoffTimer = setTimeout(() => {
        this.#backoffTimerAt = Infinity;
        this.#flushBackoff();
      }, Math.max(0, at - this.#now()));
      return;
    }
  }

  #flushBackoff(): void {
    const now = this.#now();
    for (;;) {
      const next = this.#backoff.peek();
      if (!next) break;
      const { entry, ticket } = next;
      if (entry.ticket !== ticket || entry.state !== "backoff") {
        this.#backoff.pop();
        continue;
      }
      if (this.#readyAt(entry) > now) break;
      this.#backoff.pop();
      this.#activate(entry);
    }
    this.#armBackoffTimer();
  }

  #flushLeftovers(): void {
    const now = this.#now();
    for (const entry of [...this.#unschedulable]) {
      if (now - entry.unschedulableSince >= this.#maxUnschedulable) this.#requeue(entry);
    }
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

/** Pods with scheduling gates are not tried until every gate is removed. */
function isGated(pod: KubeObject): boolean {
  return (podSpec(pod).schedulingGates ?? []).length > 0;
}

/** True when what scheduling reads (spec, labels) changed; status updates do not count. */
function schedulingInputChanged(before: KubeObject, after: KubeObject): boolean {
  if (before === after) return false;
  return JSON.stringify(before.spec) !== JSON.stringify(after.spec) ||
    JSON.stringify(before.metadata.labels) !== JSON.stringify(after.metadata.labels);
}
