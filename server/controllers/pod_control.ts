/**
 * Upstream's `PodControl`, with the expectation bookkeeping its callers wrap around it: how the
 * ReplicaSet, DaemonSet and Job controllers create and delete the pods they own. Each request is
 * expected before it is sent (its cache event may come first); one that fails, or a creation
 * never tried, is marked seen at once, since no event will ever come for it. Creations go in
 * slow-start batches; the events are upstream's (`SuccessfulCreate` "Created pod: ...",
 * `FailedCreate` "Error creating: ..." -- not while the namespace is terminating --,
 * `SuccessfulDelete` "Deleted pod: ...", `FailedDelete` "Error deleting: ...").
 *
 * The StatefulSet controller has its own (upstream's `StatefulPodControl`): its pods have fixed
 * names and claims, and its events name them. What comes back -- the pod events that meet the
 * expectations and queue the owners -- is the same for the three of them ({@link onOwnedPodEvent}).
 *
 * @module
 */
import { deepEqual } from "../../kube/deep_equal.ts";
import type { KubeObject } from "../../kube/types.ts";
import type { RestStore } from "../apiserver/rest_store.ts";
import { errorMessage, isNamespaceTerminating } from "./api_errors.ts";
import { isNotFound } from "../../kube/errors.ts";
import { controllerRefOf, ownersSelecting, resolveControllerRef } from "./controller_ref.ts";
import type { EventRecorder } from "./event_recorder.ts";
import type { Expectations } from "./expectations.ts";
import {
  type CacheEvent,
  type InformerCache,
  objectKey,
} from "../../kube/informers/shared_informers.ts";
import { inSlowStartBatches } from "./slow_start.ts";

/** What a {@link PodControl} writes through and records in. */
export interface PodControlOptions {
  podStore: RestStore;
  events: EventRecorder;
  /** The controller's expectations, keyed like its work queue. */
  expectations: Expectations;
  fieldManager: string;
}

/** The pods one step creates and deletes. */
export interface PodChanges {
  /** New pods, in the order they should be tried. */
  create?: readonly KubeObject[];
  /** Pods to delete (each only if its UID is still the same). */
  remove?: readonly KubeObject[];
}

/** Creates and deletes a controller's pods, keeping its expectations. */
export class PodControl {
  constructor(readonly options: PodControlOptions) {}

  /**
   * Creates `create` in slow-start batches, then deletes `remove` all at once, on behalf of
   * `owner` (queued as `key`). Every request is tried that slow start allows; a pod already gone
   * counts as deleted.
   * @throws the first failure, after both.
   */
  async createAndDelete(owner: KubeObject, key: string, changes: PodChanges): Promise<void> {
    const { create = [], remove = [] } = changes;
    if (create.length === 0 && remove.length === 0) return;
    const { expectations } = this.options;
    expectations.expect(key, {
      creations: create.length,
      deletions: remove.map((p) => p.metadata.uid!),
    });
    const errors: unknown[] = [];
    if (create.length > 0) {
      const { attempted, error } = await inSlowStartBatches(
        create,
        (pod) => this.#create(owner, key, pod),
      );
      // Batches never started will not be observed either.
      for (let i = attempted; i < create.length; i++) expectations.creationObserved(key);
      if (error !== undefined) errors.push(error);
    }
    if (remove.length > 0) {
      const results = await Promise.allSettled(remove.map((pod) => this.#delete(owner, key, pod)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed) errors.push(failed.reason);
    }
    if (errors.length > 0) throw errors[0];
  }

  async #create(owner: KubeObject, key: string, pod: KubeObject): Promise<void> {
    const { podStore, events, fieldManager } = this.options;
    try {
      const { object } = await podStore.create(owner.metadata.namespace, pod, { fieldManager });
      events.normal(owner, "SuccessfulCreate", `Created pod: ${object.metadata.name}`);
    } catch (error) {
      // This creation will never be observed: stop waiting for it.
      this.options.expectations.creationObserved(key);
      if (!isNamespaceTerminating(error)) {
        events.warning(owner, "FailedCreate", `Error creating: ${errorMessage(error)}`);
      }
      throw error;
    }
  }

  async #delete(owner: KubeObject, key: string, pod: KubeObject): Promise<void> {
    const { podStore, events } = this.options;
    try {
      await podStore.delete(pod.metadata.namespace, pod.metadata.name!, {
        preconditions: { uid: pod.metadata.uid },
      });
      events.normal(owner, "SuccessfulDelete", `Deleted pod: ${pod.metadata.name}`);
    } catch (error) {
      this.options.expectations.deletionObserved(key, pod.metadata.uid!);
      if (isNotFound(error)) return;
      events.warning(owner, "FailedDelete", `Error deleting: ${errorMessage(error)}`);
      throw error;
    }
  }
}

/** What a pod's cache event meets of its owner's expectations (see {@link Expectations}). */
export function observePodEvent(expectations: Expectations, key: string, event: CacheEvent): void {
  const { type, object: pod, old } = event;
  const deleting = Boolean(pod.metadata.deletionTimestamp);
  if (type === "ADDED") {
    // New to the cache: a pod the owner asked for, even if its deletion has begun already.
    // Upstream's addPod counts such a pod as a deletion only, and the owner's creation
    // expectation then waits for its timeout; here it counts as both, as the StatefulSet
    // controller did before the controllers shared this.
    expectations.creationObserved(key);
    if (deleting) expectations.deletionObserved(key, pod.metadata.uid!);
  } else if (type === "DELETED" || (deleting && !old?.metadata.deletionTimestamp)) {
    // A pod being deleted no longer counts, which is what its owner waited for.
    expectations.deletionObserved(key, pod.metadata.uid!);
  }
}

/** What {@link onOwnedPodEvent} resolves owners in and reports to. */
export interface OwnedPodEvents {
  /** The owners' cache. */
  owners: InformerCache;
  /** The owners' kind, as their pods' controller references name it. */
  ownerType: { apiVersion: string; kind: string };
  expectations: Expectations;
  /** Where owners are queued, by key. */
  queue: { add(key: string): void };
  /** Whether an owner whose selector matches an orphan may adopt it (default: yes). */
  mayAdopt?: (owner: KubeObject, pod: KubeObject) => boolean;
}

/**
 * Upstream's `addPod`/`updatePod`/`deletePod` of a controller that owns pods: meets the owner's
 * expectations, and queues the owner (and a former owner, when the controller reference moved),
 * or, for an orphan, the owners that may adopt it.
 */
export function onOwnedPodEvent(watch: OwnedPodEvents): (event: CacheEvent) => void {
  const { owners, ownerType, expectations, queue, mayAdopt } = watch;
  const enqueueAdopters = (pod: KubeObject) => {
    for (const owner of ownersSelecting(owners, pod)) {
      if (mayAdopt?.(owner, pod) ?? true) queue.add(objectKey(owner));
    }
  };
  return (event) => {
    const { type, object: pod, old } = event;
    const ns = pod.metadata.namespace;
    const ref = controllerRefOf(pod);
    const owner = resolveControllerRef(owners, ownerType, ns, ref);
    const key = owner && objectKey(owner);
    if (key) observePodEvent(expectations, key, event);
    if (type === "ADDED" || type === "DELETED") {
      if (key) queue.add(key);
      else if (type === "ADDED" && !ref) enqueueAdopters(pod);
      return;
    }
    const oldRef = old ? controllerRefOf(old) : undefined;
    if (oldRef && oldRef.uid !== ref?.uid) {
      const previous = resolveControllerRef(owners, ownerType, ns, oldRef);
      if (previous) queue.add(objectKey(previous));
    }
    if (key) queue.add(key);
    else if (!ref && (oldRef || !deepEqual(old?.metadata.labels, pod.metadata.labels))) {
      enqueueAdopters(pod);
    }
  };
}
