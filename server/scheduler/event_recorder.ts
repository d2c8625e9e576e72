/**
 * core/v1 Events about objects, as client-go's recorder writes them: named `<object>.<hex time>`,
 * with `source.component` and `reportingComponent` set, and a repeat of the same event (same
 * object, type, reason and message within 10 minutes) folded into the first one by raising its
 * `count` and `lastTimestamp` — what `kubectl describe` shows as `(x3 over 2m)`.
 *
 * @module
 */
import { ApiError } from "../../kube/errors.ts";
import type { KubeObject } from "../../kube/types.ts";
import type { RestStore } from "../apiserver/rest_store.ts";

/** Options of {@link EventRecorder}. */
export interface EventRecorderOptions {
  /** `source.component` and `reportingComponent`, e.g. `default-scheduler`. */
  component: string;
  /** `source.host` and `reportingInstance`, when the component runs on one host. */
  host?: string;
  /** Milliseconds since the epoch; tests may fix it. */
  now?: () => number;
}

/** What one event says. */
export interface EventInput {
  /** `Normal`, or `Warning` for what a user should look at. */
  type: "Normal" | "Warning";
  /** A short CamelCase cause, e.g. `Scheduled`, `FailedScheduling`. */
  reason: string;
  /** What the component was doing (`Binding`, `Scheduling`). */
  action: string;
  /** The human-readable text (cut to 1024 characters). */
  message: string;
}

interface Series {
  namespace: string;
  name: string;
  firstSeen: number;
}

/** Upstream's note length limit; longer messages are cut with "...". */
const MESSAGE_LIMIT = 1024;
/** Repeats within this window raise the count of the first event instead of adding one. */
const SERIES_WINDOW_MS = 10 * 60_000;
/** How many recent events are remembered for folding repeats. */
const SERIES_MEMORY = 4096;

function seconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");
}

/** Writes Events through the in-process Event store. */
export class EventRecorder {
  readonly #events: RestStore;
  readonly #component: string;
  readonly #host: string | undefined;
  readonly #now: () => number;
  readonly #series = new Map<string, Series>();
  #sequence = 0;

  /**
   * A recorder writing as `options.component`.
   * @param events the core/v1 Event store (`stores.forKind("", "Event")`).
   * @param options who records.
   */
  constructor(events: RestStore, options: EventRecorderOptions) {
    this.#events = events;
    this.#component = options.component;
    this.#host = options.host;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Records an event about `object` (which must be namespaced).
   * @throws what the store throws (the caller decides whether a lost event matters).
   */
  async record(object: KubeObject, event: EventInput): Promise<void> {
    const message = event.message.length > MESSAGE_LIMIT
      ? event.message.slice(0, MESSAGE_LIMIT - 3) + "..."
      : event.message;
    const now = this.#now();
    const key = [object.metadata.uid, event.type, event.reason, message].join("\u0000");
    const series = this.#series.get(key);
    if (series && now - series.firstSeen < SERIES_WINDOW_MS) {
      if (await this.#repeat(series, now)) return;
    }
    const namespace = object.metadata.namespace!;
    const name = `${object.metadata.name}.${this.#uniqueSuffix(now)}`;
    await this.#events.create(namespace, {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace },
      involvedObject: {
        kind: object.kind ?? "Pod",
        namespace,
        name: object.metadata.name,
        uid: object.metadata.uid,
        apiVersion: object.apiVersion ?? "v1",
        resourceVersion: object.metadata.resourceVersion,
      },
      reason: event.reason,
      message,
      source: this.#host ? { component: this.#component, host: this.#host } : {
        component: this.#component,
      },
      firstTimestamp: seconds(now),
      lastTimestamp: seconds(now),
      count: 1,
      type: event.type,
      action: event.action,
      reportingComponent: this.#component,
      reportingInstance: this.#host ?? "",
    }, { fieldManager: this.#component });
    this.#remember(key, { namespace, name, firstSeen: now });
  }

  /** Raises the count of an earlier event; false when it is gone (then a new one is written). */
  async #repeat(series: Series, now: number): Promise<boolean> {
    try {
      await this.#events.updateWith(series.namespace, series.name, (event) => {
        event.count = (typeof event.count === "number" ? event.count : 1) + 1;
        event.lastTimestamp = seconds(now);
        return event;
      }, { fieldManager: this.#component });
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.code === 404) return false;
      throw error;
    }
  }

  #remember(key: string, series: Series): void {
    this.#series.delete(key);
    this.#series.set(key, series);
    if (this.#series.size > SERIES_MEMORY) {
      this.#series.delete(this.#series.keys().next().value!);
    }
  }

  /** Nanoseconds since the epoch in hex, as client-go names events, kept unique per process. */
  #uniqueSuffix(now: number): string {
    const nanos = BigInt(now) * 1_000_000n + BigInt(this.#sequence++ % 1_000_000);
    return nanos.toString(16);
  }
}
