/**
 * core/v1 Events about objects, as client-go's recorder writes them: named
 * `<object>.<hex time>`, with `source.component` and `reportingComponent` set, in the object's
 * namespace (`default` for cluster-scoped objects), and the repeat of an identical event (same
 * object, type, reason and message) folded into the first one by raising its `count` and
 * `lastTimestamp`, as client-go's event correlator does -- what `kubectl describe` shows as
 * `(x3 over 2m)`.
 *
 * One recorder serves the scheduler, the workload controllers and the node lifecycle controller:
 * `record` returns the write (callers that bound their writes await it), `post` never fails the
 * caller (a lost event is only logged), and `normal` / `warning` post without waiting.
 *
 * @module
 */
import { isNotFound } from "../../kube/errors.ts";
import type { KubeObject } from "../../kube/types.ts";
import { timestamp } from "../apiserver/object_meta.ts";
import type { RestStore } from "../apiserver/rest_store.ts";
import type { Logger } from "../log.ts";
import { objectKey } from "../../kube/informers/shared_informers.ts";

/** Options of {@link EventRecorder}. */
export interface EventRecorderOptions {
  /** `source.component` and `reportingComponent`, e.g. `default-scheduler`. */
  component: string;
  /** Where events that could not be written are logged (at debug level). */
  logger: Logger;
  /** `source.host` and `reportingInstance`, when the component runs on one host. */
  host?: string;
  /** How many distinct recent events are remembered for folding repeats (default 4096). */
  remember?: number;
  /**
   * How long after the first of a series a repeat is still folded into it; unbounded when
   * omitted (client-go's correlator keeps a series while it is remembered).
   */
  seriesWindowMs?: number;
  /** Milliseconds since the epoch; tests may fix it. */
  now?: () => number;
}

/** What one event says. */
export interface EventInput {
  /** `Normal`, or `Warning` for what a user should look at. */
  type: "Normal" | "Warning";
  /** A short CamelCase cause, e.g. `Scheduled`, `FailedScheduling`. */
  reason: string;
  /** The human-readable text (cut to 1024 characters). */
  message: string;
  /** What the component was doing (`Binding`, `Scheduling`), when it says. */
  action?: string;
}

/** The event of a series that repeats fold into. */
interface Series {
  namespace: string;
  name: string;
  firstSeen: number;
}

/** Upstream's note length limit; longer messages are cut with "...". */
const MESSAGE_LIMIT = 1024;

/** Counts events named in this process, so recorders naming in the same millisecond differ. */
let sequence = 0;

/** Writes Events through the in-process Event store. */
export class EventRecorder {
  readonly #events: RestStore;
  readonly #options: EventRecorderOptions;
  readonly #now: () => number;
  readonly #limit: number;
  readonly #window: number;
  /** Recently written events by fingerprint, least recently used first. */
  readonly #series = new Map<string, Series>();

  /**
   * A recorder writing as `options.component`.
   * @param events the core/v1 Event store (`stores.forKind("", "Event")`).
   * @param options who records, and where lost events are logged.
   * @example
   * ```ts ignore
   * const events = new EventRecorder(stores.forKind("", "Event"), {
   *   component: "replicaset-controller",
   *   logger,
   * });
   * events.normal(rs, "SuccessfulCreate", `Created pod: ${name}`);
   * ```
   */
  constructor(events: RestStore, options: EventRecorderOptions) {
    this.#events = events;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#limit = options.remember ?? 4096;
    this.#window = options.seriesWindowMs ?? Infinity;
  }

  /**
   * Records an event about `object`.
   * @throws what the store throws (the caller decides whether a lost event matters).
   */
  async record(object: KubeObject, event: EventInput): Promise<void> {
    const message = event.message.length > MESSAGE_LIMIT
      ? event.message.slice(0, MESSAGE_LIMIT - 3) + "..."
      : event.message;
    const now = this.#now();
    const fingerprint = [object.metadata.uid, event.type, event.reason, message].join("\u0000");
    const series = this.#series.get(fingerprint);
    if (series && now - series.firstSeen < this.#window) {
      // Refresh its place, so busy series are the last to be forgotten.
      this.#remember(fingerprint, series);
      if (await this.#repeat(series, now)) return;
    }
    const namespace = object.metadata.namespace ?? "default";
    const name = `${object.metadata.name}.${this.#uniqueSuffix(now)}`;
    const { component, host } = this.#options;
    const time = timestamp(now);
    await this.#events.create(namespace, {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace },
      involvedObject: {
        kind: object.kind,
        namespace: object.metadata.namespace,
        name: object.metadata.name,
        uid: object.metadata.uid,
        apiVersion: object.apiVersion,
        resourceVersion: object.metadata.resourceVersion,
      },
      reason: event.reason,
      message,
      source: host ? { component, host } : { component },
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
      type: event.type,
      ...(event.action ? { action: event.action } : {}),
      reportingComponent: component,
      reportingInstance: host ?? "",
    }, { fieldManager: component });
    this.#remember(fingerprint, { namespace, name, firstSeen: now });
  }

  /**
   * Records an event without ever failing: an event that cannot be written is logged and
   * dropped, as upstream's recorder drops it. Callers need not await it; those that bound their
   * writes may.
   */
  post(object: KubeObject, event: EventInput): Promise<void> {
    return this.record(object, event).catch((error) =>
      this.#options.logger.debug("Event not recorded", {
        component: this.#options.component,
        object: objectKey(object),
        reason: event.reason,
        error: String(error),
      })
    );
  }

  /** Posts a `Normal` event without waiting for it. */
  normal(object: KubeObject, reason: string, message: string): void {
    void this.post(object, { type: "Normal", reason, message });
  }

  /** Posts a `Warning` event without waiting for it. */
  warning(object: KubeObject, reason: string, message: string): void {
    void this.post(object, { type: "Warning", reason, message });
  }

  /** Raises the count of an earlier event; false when it is gone (then a new one is written). */
  async #repeat(series: Series, now: number): Promise<boolean> {
    try {
      await this.#events.updateWith(series.namespace, series.name, (event) => {
        event.count = (typeof event.count === "number" ? event.count : 1) + 1;
        event.lastTimestamp = timestamp(now);
        return event;
      }, { fieldManager: this.#options.component });
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  #remember(fingerprint: string, series: Series): void {
    this.#series.delete(fingerprint);
    this.#series.set(fingerprint, series);
    if (this.#series.size > this.#limit) {
      this.#series.delete(this.#series.keys().next().value!);
    }
  }

  /** Nanoseconds since the epoch in hex, as client-go names events, kept unique per process. */
  #uniqueSuffix(now: number): string {
    const nanos = BigInt(now) * 1_000_000n + BigInt(sequence++ % 1_000_000);
    return nanos.toString(16);
  }
}
