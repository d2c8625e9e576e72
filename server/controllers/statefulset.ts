/**
 * The StatefulSet controller: replicas with stable names (`<set>-<ordinal>`), hostnames and
 * claims, made and removed in ordinal order (OrderedReady) or all at once (Parallel), finished
 * replicas made again under the same name, and templates rolled out from the highest ordinal down
 * to the partition (RollingUpdate) or left for the user to delete (OnDelete). Each template is a
 * ControllerRevision whose name labels the pods made from it; the status counts replicas, ready,
 * available, current and updated pods, as `kubectl rollout status` reads them.
 *
 * Claims are kept whatever `persistentVolumeClaimRetentionPolicy` says (Retain): nothing deletes
 * them on scale-down or when the set goes.
 *
 * @module
 */
import { deepEqual } from "../../kube/deep_equal.ts";
import type { KubeObject, OwnerReference } from "../../kube/types.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import { errorMessage, isNamespaceTerminating } from "./api_errors.ts";
import { isConflict, isNotFound } from "../../kube/errors.ts";
import {
  claimObjects,
  controllerRefOf,
  indexByController,
  recheckOwner,
  resolveControllerRef,
  selectorOf,
} from "./controller_ref.ts";
import { revisionTemplate } from "./controller_history.ts";
import { EventRecorder } from "./event_recorder.ts";
import { Expectations } from "./expectations.ts";
import { onOwnedPodEvent } from "./pod_control.ts";
import { nextAvailableAt } from "./pod_state.ts";
import { CONTROLLER_FIELD_MANAGER } from "./replicaset.ts";
import { updateSameObject } from "./same_object.ts";
import {
  type CacheEvent,
  type ControllerOptions,
  objectKey,
  splitKey,
} from "../../kube/informers/shared_informers.ts";
import { inProcessInformers } from "../apiserver/in_process_list_watch.ts";
import { inSlowStartBatches } from "./slow_start.ts";
import {
  claimsFor,
  newReplicaPod,
  ordinalOf,
  podName,
  STATEFUL_SET_TYPE,
} from "./statefulset_identity.ts";
import { planStatefulSet, statefulSetStatus, type StatefulSetStep } from "./statefulset_plan.ts";
import { resolveRevisions, type SetRevisions, truncateHistory } from "./statefulset_revisions.ts";
import { controllerRunOptions, WorkQueue } from "../../kube/informers/workqueue.ts";

/** Options of {@link startStatefulSetController}. */
export interface StatefulSetControllerOptions extends ControllerOptions {
  /** Milliseconds since the epoch (tests may fix it). */
  now?: () => number;
}

/** Runs until the signal aborts; resolves once its work has stopped. */
export async function startStatefulSetController(
  stores: StoreSet,
  options: StatefulSetControllerOptions,
): Promise<void> {
  const { signal, logger } = options;
  const now = options.now ?? Date.now;
  const informers = options.informers ??
    inProcessInformers(stores, { signal, logger });
  const sets = informers.forKind("apps", "StatefulSet");
  const pods = informers.forKind("", "Pod");
  const revisions = informers.forKind("apps", "ControllerRevision");
  const claims = informers.forKind("", "PersistentVolumeClaim");
  indexByController(pods);
  indexByController(revisions);
  const setStore = stores.forKind("apps", "StatefulSet");
  const podStore = stores.forKind("", "Pod");
  const revisionStore = stores.forKind("apps", "ControllerRevision");
  const claimStore = stores.forKind("", "PersistentVolumeClaim");
  const queue = new WorkQueue();
  const expectations = new Expectations({ now });
  const events = new EventRecorder(stores.forKind("", "Event"), {
    component: "statefulset-controller",
    logger,
  });
  const fieldManager = CONTROLLER_FIELD_MANAGER;

  const resolve = (namespace: string | undefined, ref: OwnerReference | undefined) =>
    resolveControllerRef(sets, STATEFUL_SET_TYPE, namespace, ref);

  sets.subscribe((event: CacheEvent) => {
    const key = objectKey(event.object);
    if (event.type === "DELETED") {
      expectations.delete(key);
    }
    queue.add(key);
  });

  pods.subscribe(onOwnedPodEvent({
    owners: sets,
    ownerType: STATEFUL_SET_TYPE,
    expectations,
    queue,
    // Only a pod with one of the set's names may join it.
    mayAdopt: (set, pod) => ordinalOf(set, pod) !== undefined,
  }));

  revisions.subscribe(({ object }: CacheEvent) => {
    const owner = resolve(object.metadata.namespace, controllerRefOf(object));
    if (owner) queue.add(objectKey(owner));
  });

  /** Creates the claims a replica mounts that do not exist yet. */
  const createClaims = async (set: KubeObject, ordinal: number) => {
    for (const claim of claimsFor(set, ordinal)) {
      const name = claim.metadata.name!;
      const existing = claims.get(set.metadata.namespace, name);
      if (existing?.metadata.deletionTimestamp) throw new Error(`pvc ${name} is being deleted`);
      if (existing) continue;
      const pod = podName(set, ordinal);
      try {
        await claimStore.create(set.metadata.namespace, claim, { fieldManager });
        events.normal(
          set,
          "SuccessfulCreate",
          `create Claim ${name} Pod ${pod} in StatefulSet ${set.metadata.name} success`,
        );
      } catch (error) {
        // Made by an earlier sync the cache has not caught up with.
        if (isConflict(error)) continue;
        events.warning(
          set,
          "FailedCreate",
          `create Claim ${name} for Pod ${pod} in StatefulSet ${set.metadata.name} failed error: ${
            errorMessage(error)
          }`,
        );
        throw error;
      }
    }
  };

  const createReplica = async (
    set: KubeObject,
    ordinal: number,
    template: KubeObject["spec"],
    revision: string,
  ) => {
    const pod = newReplicaPod(set, template, ordinal, revision);
    const what = `Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name}`;
    try {
      // Claims first, so the pod never starts without its storage.
      await createClaims(set, ordinal);
      await podStore.create(set.metadata.namespace, pod, { fieldManager });
    } catch (error) {
      // A name taken means a stale cache (or a pod the set does not own): no event, retry.
      if (!isConflict(error) && !isNamespaceTerminating(error)) {
        events.warning(set, "FailedCreate", `create ${what} failed error: ${errorMessage(error)}`);
      }
      throw error;
    }
    events.normal(set, "SuccessfulCreate", `create ${what} successful`);
  };

  const deleteReplica = async (set: KubeObject, pod: KubeObject) => {
    const what = `Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name}`;
    try {
      await podStore.delete(pod.metadata.namespace, pod.metadata.name!, {
        preconditions: { uid: pod.metadata.uid },
      });
    } catch (error) {
      // Gone already, or replaced by another pod of that name: the caller stops waiting for it.
      if (isNotFound(error) || isConflict(error)) throw error;
      events.warning(set, "FailedDelete", `delete ${what} failed error: ${errorMessage(error)}`);
      throw error;
    }
    events.normal(set, "SuccessfulDelete", `delete ${what} successful`);
  };

  /** Takes a plan's steps phase by phase, stopping at the first phase that fails. */
  const carryOut = async (
    set: KubeObject,
    key: string,
    phases: StatefulSetStep[][],
    revs: SetRevisions,
  ) => {
    const steps = phases.flat();
    const creates = steps.filter((s) => s.kind === "create").length;
    const victims = steps.flatMap((s) => s.kind === "delete" ? [s.pod.metadata.uid!] : []);
    if (creates > 0 || victims.length > 0) {
      expectations.expect(key, { creations: creates, deletions: victims });
    }
    const currentTemplate = revisionTemplate(revs.current);
    // A step that failed, or was never tried, will never be observed: stop waiting for it.
    const neverObserved = (step: StatefulSetStep) => {
      if (step.kind === "create") expectations.creationObserved(key);
      else expectations.deletionObserved(key, step.pod.metadata.uid!);
    };
    const run = async (step: StatefulSetStep) => {
      try {
        if (step.kind === "delete") return await deleteReplica(set, step.pod);
        const revision = step.fromCurrent ? revs.current : revs.update;
        const template = step.fromCurrent ? currentTemplate : set.spec?.template;
        await createReplica(set, step.ordinal, template, revision.metadata.name!);
      } catch (error) {
        neverObserved(step);
        if (step.kind === "delete" && (isNotFound(error) || isConflict(error))) return;
        throw error;
      }
    };
    for (let i = 0; i < phases.length; i++) {
      const { attempted, error } = await inSlowStartBatches(phases[i], run);
      if (error === undefined) continue;
      for (const step of [...phases[i].slice(attempted), ...phases.slice(i + 1).flat()]) {
        neverObserved(step);
      }
      throw error;
    }
  };

  const sync = async (key: string) => {
    const { namespace, name } = splitKey(key);
    const set = sets.get(namespace, name);
    if (!set) {
      expectations.delete(key);
      return;
    }
    const canAdopt = recheckOwner(setStore, set);
    const common = {
      owner: set,
      ownerType: STATEFUL_SET_TYPE,
      selector: selectorOf(set),
      fieldManager,
      canAdopt,
    };
    const members = await claimObjects({
      ...common,
      cache: pods,
      store: podStore,
      include: (pod) => ordinalOf(set, pod) !== undefined,
    });
    if (set.metadata.deletionTimestamp) {
      // Nothing is made for a set on its way out; its revisions stay as they were.
      const status = set.status ?? {};
      return await writeStatus(set, members, {
        current: status.currentRevision ?? "",
        update: status.updateRevision ?? "",
        collisionCount: status.collisionCount ?? 0,
      });
    }
    const owned = await claimObjects({ ...common, cache: revisions, store: revisionStore });
    const revs = await resolveRevisions(set, owned, revisionStore, fieldManager);
    let failure: unknown;
    if (expectations.satisfied(key)) {
      const plan = planStatefulSet({
        set,
        pods: members,
        currentRevision: revs.current.metadata.name!,
        updateRevision: revs.update.metadata.name!,
        now: now(),
      });
      if (plan.waiting) logger.debug("StatefulSet waiting", { set: key, for: plan.waiting });
      try {
        await carryOut(set, key, [plan.replicas, plan.condemned, plan.update], revs);
      } catch (error) {
        failure = error;
      }
    }
    await writeStatus(set, members, {
      current: revs.current.metadata.name!,
      update: revs.update.metadata.name!,
      collisionCount: revs.collisionCount,
    });
    await truncateHistory(set, revs, members, revisionStore);
    if (failure && !isNamespaceTerminating(failure)) throw failure;
  };

  const writeStatus = async (
    set: KubeObject,
    members: KubeObject[],
    revs: { current: string; update: string; collisionCount: number },
  ) => {
    const at = now();
    const status = statefulSetStatus({
      set,
      pods: members,
      currentRevision: revs.current,
      updateRevision: revs.update,
      collisionCount: revs.collisionCount,
      now: at,
    });
    if (!deepEqual(status, set.status ?? {})) {
      try {
        await updateSameObject(setStore, set, (current) => {
          current.status = status;
        }, { subresource: "status", fieldManager });
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    const minReadySeconds: number = set.spec?.minReadySeconds ?? 0;
    const next = nextAvailableAt(members, minReadySeconds, at);
    if (next !== undefined) queue.addAfter(objectKey(set), next - at);
  };

  await queue.run(
    sync,
    controllerRunOptions(
      "statefulset",
      options,
      informers.synced(sets, pods, revisions, claims),
    ),
  );
  if (!options.informers) await informers.stopped();
}
