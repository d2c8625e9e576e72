/**
 * The ReplicaSet controller: keeps `spec.replicas` active pods that match the selector and that
 * the ReplicaSet controls -- adopting matching orphans, creating missing pods from the template in
 * slow-start batches, deleting surplus pods most-deletable first -- and reports replicas,
 * fully-labelled, ready and available (`minReadySeconds`) counts in the status.
 *
 * @module
 */
import { clone, deepEqual } from "../../kube/deep_equal.ts";
import type { KubeObject } from "../../kube/types.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import { errorMessage, isNamespaceTerminating } from "./api_errors.ts";
import { isNotFound } from "../../kube/errors.ts";
import {
  claimObjects,
  indexByController,
  newControllerRef,
  recheckOwner,
  selectorOf,
} from "./controller_ref.ts";
import { newCondition, removeCondition, setCondition } from "./deployment_status.ts";
import { EventRecorder } from "./event_recorder.ts";
import { Expectations } from "./expectations.ts";
import {
  isPodActive,
  isPodAvailable,
  isPodReady,
  nextAvailableAt,
  rankForDeletion,
} from "./pod_state.ts";
import { onOwnedPodEvent, PodControl } from "./pod_control.ts";
import { updateSameObject } from "./same_object.ts";
import {
  type CacheEvent,
  type ControllerOptions,
  objectKey,
  splitKey,
} from "../../kube/informers/shared_informers.ts";
import { inProcessInformers } from "../apiserver/in_process_list_watch.ts";
import { controllerRunOptions, WorkQueue } from "../../kube/informers/workqueue.ts";

/** The field manager of writes by the controller manager's loops. */
export const CONTROLLER_FIELD_MANAGER = "kube-controller-manager";

/** At most this many pods are created or deleted in one sync, as upstream's burstReplicas. */
const BURST_REPLICAS = 500;

const REPLICA_SET_TYPE = { apiVersion: "apps/v1", kind: "ReplicaSet" };

/** Options of {@link startReplicaSetController}. */
export interface ReplicaSetControllerOptions extends ControllerOptions {
  /** Milliseconds since the epoch (tests may fix it). */
  now?: () => number;
}

/** Template labels all present on the pod (a pod that may not match a changed template). */
function fullyLabeled(pod: KubeObject, rs: KubeObject): boolean {
  const wanted: Record<string, string> = rs.spec?.template?.metadata?.labels ?? {};
  const labels = pod.metadata.labels ?? {};
  return Object.entries(wanted).every(([k, v]) => labels[k] === v);
}

/** A pod for a ReplicaSet from its template. */
function podFromTemplate(rs: KubeObject): KubeObject {
  const template = rs.spec?.template ?? {};
  const metadata: KubeObject["metadata"] = {
    generateName: `${rs.metadata.name}-`,
    namespace: rs.metadata.namespace,
    ownerReferences: [newControllerRef(rs, REPLICA_SET_TYPE)],
  };
  if (template.metadata?.labels) metadata.labels = clone(template.metadata.labels);
  if (template.metadata?.annotations) metadata.annotations = clone(template.metadata.annotations);
  if (template.metadata?.finalizers) metadata.finalizers = clone(template.metadata.finalizers);
  return { apiVersion: "v1", kind: "Pod", metadata, spec: clone(template.spec ?? {}) };
}

/** Runs until the signal aborts. */
export async function startReplicaSetController(
  stores: StoreSet,
  options: ReplicaSetControllerOptions,
): Promise<void> {
  const { signal, logger } = options;
  const now = options.now ?? Date.now;
  const informers = options.informers ??
    inProcessInformers(stores, { signal, logger });
  const replicaSets = informers.forKind("apps", "ReplicaSet");
  const pods = informers.forKind("", "Pod");
  indexByController(pods);
  const podStore = stores.forKind("", "Pod");
  const rsStore = stores.forKind("apps", "ReplicaSet");
  const queue = new WorkQueue();
  const expectations = new Expectations({ now });
  const events = new EventRecorder(stores.forKind("", "Event"), {
    component: "replicaset-controller",
    logger,
  });
  const podControl = new PodControl({
    podStore,
    events,
    expectations,
    fieldManager: CONTROLLER_FIELD_MANAGER,
  });

  replicaSets.subscribe((event: CacheEvent) => {
    const key = objectKey(event.object);
    if (event.type === "DELETED") expectations.delete(key);
    queue.add(key);
  });

  pods.subscribe(onOwnedPodEvent({
    owners: replicaSets,
    ownerType: REPLICA_SET_TYPE,
    expectations,
    queue,
  }));

  const sync = async (key: string) => {
    const { namespace, name } = splitKey(key);
    const rs = replicaSets.get(namespace, name);
    if (!rs) {
      expectations.delete(key);
      return;
    }
    const needsSync = expectations.satisfied(key) && !rs.metadata.deletionTimestamp;
    const claimed = (await claimObjects({
      owner: rs,
      ownerType: REPLICA_SET_TYPE,
      selector: selectorOf(rs),
      cache: pods,
      store: podStore,
      fieldManager: CONTROLLER_FIELD_MANAGER,
      include: isPodActive,
      canAdopt: recheckOwner(rsStore, rs),
    })).filter(isPodActive);

    let active = claimed;
    let manageError: unknown;
    if (needsSync) {
      const diff = claimed.length - (rs.spec?.replicas ?? 1);
      try {
        if (diff < 0) {
          const create = Array.from(
            { length: Math.min(-diff, BURST_REPLICAS) },
            () => podFromTemplate(rs),
          );
          await podControl.createAndDelete(rs, key, { create });
        } else if (diff > 0) {
          const remove = rankForDeletion(claimed).slice(0, Math.min(diff, BURST_REPLICAS));
          const going = new Set(remove.map((p) => p.metadata.uid));
          active = claimed.filter((p) => !going.has(p.metadata.uid));
          await podControl.createAndDelete(rs, key, { remove });
        }
      } catch (error) {
        manageError = error;
      }
    }
    await writeStatus(rs, active, manageError);
    if (manageError && !isNamespaceTerminating(manageError)) throw manageError;
  };

  const writeStatus = async (rs: KubeObject, active: KubeObject[], manageError: unknown) => {
    const at = now();
    const minReadySeconds = rs.spec?.minReadySeconds ?? 0;
    const status: Record<string, unknown> = {
      replicas: active.length,
      fullyLabeledReplicas: active.filter((p) => fullyLabeled(p, rs)).length,
      readyReplicas: active.filter(isPodReady).length,
      availableReplicas: active.filter((p) => isPodAvailable(p, minReadySeconds, at)).length,
      observedGeneration: rs.metadata.generation ?? 1,
    };
    if (Array.isArray(rs.status?.conditions)) status.conditions = clone(rs.status.conditions);
    if (manageError && !isNamespaceTerminating(manageError)) {
      const creating = active.length < (rs.spec?.replicas ?? 1);
      setCondition(
        status,
        newCondition(
          "ReplicaFailure",
          "True",
          creating ? "FailedCreate" : "FailedDelete",
          errorMessage(manageError),
          at,
        ),
      );
    } else if (!manageError) removeCondition(status, "ReplicaFailure");
    // Conditions of a ReplicaSet carry no lastUpdateTime.
    for (const c of (status.conditions ?? []) as Record<string, unknown>[]) delete c.lastUpdateTime;
    if (!deepEqual(stripUndefined(status), stripUndefined(rs.status ?? {}))) {
      try {
        await updateSameObject(rsStore, rs, (current) => {
          current.status = status;
        }, { subresource: "status", fieldManager: CONTROLLER_FIELD_MANAGER });
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    const next = nextAvailableAt(active, minReadySeconds, at);
    if (next !== undefined) queue.addAfter(objectKey(rs), next - at);
  };

  await queue.run(
    sync,
    controllerRunOptions("replicaset", options, informers.synced(replicaSets, pods)),
  );
  if (!options.informers) await informers.stopped();
}

function stripUndefined(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}
