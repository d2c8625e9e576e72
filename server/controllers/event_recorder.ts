/**
 * Events as upstream's controllers record them (core/v1 Event, `<object>.<hex time>` names), with
 * the repeat of an identical event folded into a `count` on the first one, as client-go's event
 * correlator does. Recording never blocks or fails the caller: a lost event is only logged.
 *
 * @module
 */
import { ApiError } from "../../kube/errors.ts";
import type { KubeObject } from "../../kube/types.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import type { Logger } from "../log.ts";

/** Records events about objects. */
export interface EventRecorder {
  /** Records a `Normal` event. */
  normal(object: KubeObject, reason: string, message: string): void;
  /** Records a `Warning` event. */
  warning(object: KubeObject, reason: string, message: string): void;
}

/** Options of {@link createEventRecorder}. */
export interface EventRecorderOptions {
  /** `source.component` and `reportingComponent`, such as `deployment-controller`. */
  component: string;
  logger: Logger;
  /** How many distinct recent events are remembered for folding repeats (default 4096). */
  remember?: number;
}

/** An event recorder writing through the in-process stores. */
export function createEventRecorder(
  stores: StoreSet,
  options: EventRecorderOptions,
): EventRecorder {
  const events = stores.forKind("", "Event");
  const limit = options.remember ?? 4096;
  /** What was recorded recently: fingerprint → event name and namespace. */
  const recent = new Map<string, { namespace: string; name: string }>();
  let sequence = 0;

  const create = async (namespace: string, event: KubeObject, fingerprint: string) => {
    const now = BigInt(Date.now()) * 1_000_000n + BigInt(sequence++ % 1_000_000);
    event.metadata.name = `${event.involvedObject.name}.${now.toString(16)}`;
    await events.create(namespace, event, { fieldManager: options.component });
    recent.set(fingerprint, { namespace, name: event.metadata.name });
    if (recent.size > limit) recent.delete(recent.keys().next().value!);
  };

  const record = async (object: KubeObject, type: string, reason: string, message: string) => {
    const namespace = object.metadata.namespace ?? "default";
    const fingerprint = [object.metadata.uid, type, reason, message].join("\u0000");
    const time = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const seen = recent.get(fingerprint);
    if (seen) {
      // Refresh its position so busy fingerprints are the last to be forgotten.
      recent.delete(fingerprint);
      recent.set(fingerprint, seen);
      try {
        await events.updateWith(seen.namespace, seen.name, (current) => {
          current.count = (current.count ?? 1) + 1;
          current.lastTimestamp = time;
          return current;
        }, { fieldManager: options.component });
        return;
      } catch (error) {
        if (!(error instanceof ApiError && error.code === 404)) throw error;
        recent.delete(fingerprint);
      }
    }
    await create(namespace, {
      apiVersion: "v1",
      kind: "Event",
      metadata: { namespace },
      involvedObject: {
        apiVersion: object.apiVersion,
        kind: object.kind,
        namespace: object.metadata.namespace,
        name: object.metadata.name,
        uid: object.metadata.uid,
        resourceVersion: object.metadata.resourceVersion,
      },
      reason,
      message,
      type,
      source: { component: options.component },
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
      reportingComponent: options.component,
      reportingInstance: "",
    }, fingerprint);
  };

  const post = (object: KubeObject, type: string, reason: string, message: string) => {
    record(object, type, reason, message).catch((error) =>
      options.logger.debug("Event not recorded", {
        component: options.component,
        reason,
        error: String(error),
      })
    );
  };
  return {
    normal: (object, reason, message) => post(object, "Normal", reason, message),
    warning: (object, reason, message) => post(object, "Warning", reason, message),
  };
}
