/**
 * Leader election over a coordination.k8s.io/v1 Lease, as client-go's `leaderelection` with a
 * LeaseLock and `ReleaseOnCancel`: candidates read the Lease every retry period and take it when
 * it is absent, released (no holder), held by themselves, or expired; the leader renews it every
 * retry period and stops leading when it cannot renew within the renew deadline.
 *
 * Expiry is judged by *this* elector's clock: a lease is expired once its `leaseDurationSeconds`
 * have passed since this elector last saw it change (its resourceVersion), never by comparing
 * the holder's `renewTime` with the local clock -- so skewed clocks between servers do not matter,
 * only their rates (client-go's `observedTime`). Every write carries the resourceVersion read, so
 * of two candidates writing at once one gets a 409 and backs off.
 *
 * @module
 */
import type { KubeObject } from "../../kube/types.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import type { RestStore } from "../apiserver/rest_store.ts";
import { errorMessage } from "../controllers/api_errors.ts";
import { isConflict } from "../../kube/errors.ts";
import { EventRecorder } from "../controllers/event_recorder.ts";
import type { Logger } from "../log.ts";
import { microTime } from "../apiserver/object_meta.ts";

/** Upstream kube-controller-manager's and kube-scheduler's `--leader-elect-lease-duration`. */
export const LEASE_DURATION_SECONDS = 15;
/** Upstream's `--leader-elect-renew-deadline`. */
export const RENEW_DEADLINE_MS = 10_000;
/** Upstream's `--leader-elect-retry-period`. */
export const RETRY_PERIOD_MS = 2_000;
/** Where the control-plane leases live. */
export const LEADER_ELECTION_NAMESPACE = "kube-system";

/** Candidates wait between `retry` and `retry × (1 + 1.2)` between tries, as client-go. */
const JITTER_FACTOR = 1.2;

/** The Lease operations the elector needs: the in-process store, or a test's wrapper around it. */
export type LeaseClient = Pick<RestStore, "find" | "create" | "update">;

/** Options of {@link LeaseElector}. */
export interface LeaseElectorOptions {
  /** The Lease, e.g. `kube-controller-manager`; also the field manager of the elector's writes. */
  name: string;
  /** Default {@link LEADER_ELECTION_NAMESPACE}. */
  namespace?: string;
  /** Who campaigns: `<node-name>_<id>` (see `identity.ts`). */
  identity: string;
  /** `source.component` of the LeaderElection events (`kube-controller-manager`, `default-scheduler`). */
  component: string;
  logger: Logger;
  /** Written into the Lease; how long others wait after its last change (default 15). */
  leaseDurationSeconds?: number;
  /** How long the leader keeps trying to renew before it stops leading (default 10 s). */
  renewDeadlineMs?: number;
  /** Time between tries (default 2 s). */
  retryPeriodMs?: number;
  /** Give the lease up when stopped, so another candidate takes over at once (default true). */
  releaseOnCancel?: boolean;
  /** Default `stores.forKind("coordination.k8s.io", "Lease")`. */
  leases?: LeaseClient;
}

/** What the elector writes into `spec`. */
interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/** How one try went: we hold the lease, someone else validly holds it, or the try failed. */
type Attempt = "leading" | "held" | "failed";

/**
 * One candidate for one Lease.
 * @example
 * ```ts ignore
 * const elector = new LeaseElector(stores, {
 *   name: "kube-scheduler",
 *   identity,
 *   component: "default-scheduler",
 *   logger,
 * });
 * loops.push(elector.run(stop.signal, (signal) => startScheduler(stores, { signal, logger })));
 * ```
 */
export class LeaseElector {
  /** Who this elector campaigns as. */
  readonly identity: string;
  readonly #name: string;
  readonly #namespace: string;
  readonly #leases: LeaseClient;
  readonly #events: EventRecorder;
  readonly #log: Logger;
  readonly #leaseDurationSeconds: number;
  readonly #renewDeadlineMs: number;
  readonly #retryPeriodMs: number;
  readonly #releaseOnCancel: boolean;
  /** The Lease as last read or written. */
  #observed?: KubeObject;
  /** `performance.now()` when {@link #observed} last changed resourceVersion. */
  #observedAt = 0;
  /** The try under way, so `run` never returns while a write is still in flight. */
  #inFlight: Promise<Attempt> = Promise.resolve("failed");

  /**
   * @param stores the in-process stores (Leases, and Events about them).
   * @param options which Lease, who campaigns, and the timing.
   * @throws {Error} when the timing cannot work (a renew deadline not below the lease duration,
   * or not above the jittered retry period), as client-go refuses such a configuration.
   */
  constructor(stores: StoreSet, options: LeaseElectorOptions) {
    this.identity = options.identity;
    this.#name = options.name;
    this.#namespace = options.namespace ?? LEADER_ELECTION_NAMESPACE;
    this.#leases = options.leases ?? stores.forKind("coordination.k8s.io", "Lease");
    this.#events = new EventRecorder(stores.forKind("", "Event"), {
      component: options.component,
      logger: options.logger,
    });
    this.#log = options.logger;
    this.#leaseDurationSeconds = options.leaseDurationSeconds ?? LEASE_DURATION_SECONDS;
    this.#renewDeadlineMs = options.renewDeadlineMs ?? RENEW_DEADLINE_MS;
    this.#retryPeriodMs = options.retryPeriodMs ?? RETRY_PERIOD_MS;
    this.#releaseOnCancel = options.releaseOnCancel ?? true;
    if (!Number.isInteger(this.#leaseDurationSeconds) || this.#leaseDurationSeconds < 1) {
      throw new Error("leaseDurationSeconds must be a whole number of seconds, at least 1");
    }
    if (this.#leaseDurationSeconds * 1000 <= this.#renewDeadlineMs) {
      throw new Error("the lease duration must be greater than the renew deadline");
    }
    if (this.#renewDeadlineMs <= JITTER_FACTOR * this.#retryPeriodMs) {
      throw new Error(`the renew deadline must be greater than retry period × ${JITTER_FACTOR}`);
    }
    if (!options.identity) throw new Error("leader election needs an identity");
  }

  /** True while the Lease, as last seen, names this elector as holder. */
  get isLeader(): boolean {
    return this.#holder() === this.identity;
  }

  /** The holder last seen, if any. */
  get leader(): string | undefined {
    return this.#holder() || undefined;
  }

  /**
   * Campaigns until `signal` aborts. Each time the lease is won, `lead` runs with a signal that
   * aborts when the lease is lost (or `signal` aborts); campaigning resumes once that work has
   * settled, so one process never runs two terms' work at once. When `signal` aborts, the work is
   * stopped and, with `releaseOnCancel`, the lease released.
   * @returns settles once the work has stopped and the lease is released.
   */
  async run(signal: AbortSignal, lead: (signal: AbortSignal) => Promise<unknown>): Promise<void> {
    const lease = `${this.#namespace}/${this.#name}`;
    while (!signal.aborted) {
      this.#log.info("Attempting to acquire leader lease", { lease, identity: this.identity });
      if (!await this.#acquire(signal) || signal.aborted) break;
      this.#log.info("Successfully acquired lease", { lease, identity: this.identity });
      await this.#recordEvent("became leader");
      if (signal.aborted) break; // stopped meanwhile: no work to start (the lease is released)
      const term = new AbortController();
      const endTerm = () => term.abort();
      signal.addEventListener("abort", endTerm, { once: true });
      const work = this.#lead(lead, term.signal);
      await this.#renew(term.signal);
      signal.removeEventListener("abort", endTerm);
      term.abort();
      await work;
      await this.#recordEvent("stopped leading");
      if (!signal.aborted) this.#log.warn("Lost leader lease", { lease, identity: this.identity });
    }
    await this.#inFlight;
    if (this.#releaseOnCancel) await this.#release();
  }

  #holder(): string {
    return (this.#observed?.spec as LeaseSpec | undefined)?.holderIdentity ?? "";
  }

  /** Runs the leader's work; it never rejects, so a failing controller cannot end the election. */
  async #lead(lead: (signal: AbortSignal) => Promise<unknown>, signal: AbortSignal) {
    try {
      await lead(signal);
      if (!signal.aborted) {
        this.#log.warn("Leader's work ended while still leading", { lease: this.#name });
      }
    } catch (error) {
      this.#log.error("Leader's work failed", { lease: this.#name, error: errorMessage(error) });
    }
  }

  /** Tries every (jittered) retry period until the lease is ours; false once `signal` aborts. */
  async #acquire(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      if (await this.#track(this.#attempt()) === "leading") return true;
      const jitter = 1 + Math.random() * JITTER_FACTOR;
      await sleep(this.#retryPeriodMs * jitter, signal);
    }
    return false;
  }

  /**
   * Renews every retry period. A round that has not renewed within the renew deadline (tries
   * every retry period), or that finds another holder, ends the term. Returns when the term
   * ends, or when `signal` aborts.
   */
  async #renew(signal: AbortSignal): Promise<void> {
    for (;;) {
      await sleep(this.#retryPeriodMs, signal);
      if (signal.aborted) return;
      const deadline = performance.now() + this.#renewDeadlineMs;
      for (;;) {
        const outcome = await this.#attemptWithin(deadline - performance.now());
        if (signal.aborted) return;
        if (outcome === "leading") break;
        if (outcome === "held" || performance.now() >= deadline) {
          this.#log.warn("Failed to renew leader lease", {
            lease: this.#name,
            holder: this.leader ?? "",
            reason: outcome === "held" ? "held by another candidate" : "renew deadline passed",
          });
          return;
        }
        await sleep(Math.min(this.#retryPeriodMs, deadline - performance.now()), signal);
      }
    }
  }

  /** One try that counts as failed once `ms` have passed (a store that hangs must not block). */
  async #attemptWithin(ms: number): Promise<Attempt> {
    if (ms <= 0) return "failed";
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<Attempt>((resolve) => {
      timer = setTimeout(() => resolve("failed"), ms);
    });
    try {
      return await Promise.race([this.#track(this.#attempt()), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  #track(attempt: Promise<Attempt>): Promise<Attempt> {
    this.#inFlight = attempt;
    return attempt;
  }

  /** client-go's tryAcquireOrRenew: read; create, take over or renew with the read version. */
  async #attempt(): Promise<Attempt> {
    const now = Date.now();
    let current: KubeObject | undefined;
    try {
      current = await this.#leases.find(this.#namespace, this.#name);
    } catch (error) {
      this.#log.error("Error retrieving leader lease", {
        lease: this.#name,
        error: errorMessage(error),
      });
      return "failed";
    }
    if (!current) {
      return await this.#write(() =>
        this.#leases.create(this.#namespace, {
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          metadata: { name: this.#name, namespace: this.#namespace },
          spec: this.#spec(now, undefined),
        }, { fieldManager: this.#name })
      );
    }
    this.#observe(current);
    const holder = this.#holder();
    if (holder !== "" && holder !== this.identity && this.#observedValid()) return "held";
    const spec = this.#spec(now, current.spec as LeaseSpec | undefined);
    // `current` carries the resourceVersion read: a write in between makes this a 409.
    return await this.#write(() =>
      this.#leases.update(this.#namespace, this.#name, { ...current, spec }, {
        fieldManager: this.#name,
      })
    );
  }

  /** Writes, observing what was written; a 409 (someone else won the race) is a quiet failure. */
  async #write(write: () => Promise<{ object: KubeObject }>): Promise<Attempt> {
    try {
      this.#observe((await write()).object);
      return "leading";
    } catch (error) {
      if (isConflict(error)) {
        this.#log.debug("Lost a race for the leader lease", { lease: this.#name });
      } else {
        this.#log.error("Failed to update leader lease", {
          lease: this.#name,
          error: errorMessage(error),
        });
      }
      return "failed";
    }
  }

  /** The spec this elector writes: renewal keeps acquireTime; a new holder counts a transition. */
  #spec(now: number, previous: LeaseSpec | undefined): LeaseSpec {
    const renewing = previous?.holderIdentity === this.identity;
    return {
      holderIdentity: this.identity,
      leaseDurationSeconds: this.#leaseDurationSeconds,
      acquireTime: renewing && previous?.acquireTime ? previous.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: previous === undefined
        ? 0
        : (previous.leaseTransitions ?? 0) + (renewing ? 0 : 1),
    };
  }

  #observe(lease: KubeObject): void {
    const before = this.#observed;
    this.#observed = lease;
    if (before?.metadata.resourceVersion === lease.metadata.resourceVersion) return;
    this.#observedAt = performance.now();
    const holder = this.#holder();
    const previousHolder = (before?.spec as LeaseSpec | undefined)?.holderIdentity ?? "";
    if (holder !== previousHolder && holder !== "" && holder !== this.identity) {
      this.#log.info("New leader elected", { lease: this.#name, leader: holder });
    }
  }

  /** Whether the lease as last seen is still within its duration, by this elector's clock. */
  #observedValid(): boolean {
    const seconds = (this.#observed?.spec as LeaseSpec | undefined)?.leaseDurationSeconds ??
      this.#leaseDurationSeconds;
    return performance.now() < this.#observedAt + seconds * 1000;
  }

  /** Gives the lease up (no holder, 1 s duration) so another candidate takes it at once. */
  async #release(): Promise<void> {
    const observed = this.#observed;
    if (!observed || !this.isLeader) return;
    const now = microTime();
    const spec: LeaseSpec = {
      holderIdentity: "",
      leaseDurationSeconds: 1,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: (observed.spec as LeaseSpec | undefined)?.leaseTransitions ?? 0,
    };
    try {
      const { object } = await this.#leases.update(this.#namespace, this.#name, {
        ...observed,
        spec,
      }, { fieldManager: this.#name });
      this.#observe(object);
      this.#log.info("Released leader lease", { lease: this.#name, identity: this.identity });
    } catch (error) {
      // A 409: someone else has written it since, so it is no longer ours to release.
      this.#log.warn("Failed to release leader lease", {
        lease: this.#name,
        error: errorMessage(error),
      });
    }
  }

  /** An Event on the Lease, as client-go's LeaseLock records it. */
  async #recordEvent(what: string): Promise<void> {
    if (!this.#observed) return;
    await this.#events.post(this.#observed, {
      type: "Normal",
      reason: "LeaderElection",
      message: `${this.identity} ${what}`,
    });
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
