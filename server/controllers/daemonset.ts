/**
 * The DaemonSet controller: one pod per node that should run it (`daemonset_nodes.ts`), created
 * unbound and pinned to its node by node affinity so that the scheduler binds it; surplus pods on
 * a node deleted (the oldest kept), pods on nodes that no longer qualify deleted, failed pods
 * deleted and replaced behind a per-node back-off; templates rolled out by RollingUpdate (within
 * `maxUnavailable`, or `maxSurge` new pods first) or left to the user's deletes (OnDelete); and
 * the status counts `kubectl rollout status ds/<name>` reads.
 *
 * Each template the DaemonSet has had is kept as a ControllerRevision (`daemonset_history.ts`),
 * whose hash labels the pods (`controller-revision-hash`, with `pod-template-generation`): what
 * tells updated pods from old ones, and what `kubectl rollout history|undo ds/<name>` read.
 *
 * @module
 */
import { clone, deepEqual } from "../../kube/deep_equal.ts";
import type { KubeObject, OwnerReference } from "../../kube/types.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import { templateGeneration } from "../registry/strategies/apps.ts";
import { isNamespaceTerminating } from "./api_errors.ts";
import { isNotFound } from "../../kube/errors.ts";
import {
  claimObjects,
  controllerRefOf,
  indexByController,
  recheckOwner,
  resolveControllerRef,
  selectorOf,
} from "./controller_ref.ts";
import { FailedPodBackoff, type FailedPodBackoffOptions } from "./daemonset_backoff.ts";
import { DaemonSetHistory } from "./daemonset_history.ts";
import {
  DAEMON_SET_TYPE,
  newDaemonPod,
  type NodeFit,
  nodeShouldRunDaemonPod,
  targetNodeName,
} from "./daemonset_nodes.ts";
import {
  allowsSurge,
  daemonSetCounts,
  planNode,
  planRollingUpdate,
  podsByNode,
} from "./daemonset_plan.ts";
import { EventRecorder } from "./event_recorder.ts";
import { Expectations } from "./expectations.ts";
import { onOwnedPodEvent, PodControl } from "./pod_control.ts";
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
import { controllerRunOptions, WorkQueue } from "../../kube/informers/workqueue.ts";

/** At most this many pods are created or deleted in one sync, as upstream's daemon BurstReplicas. */
const BURST_REPLICAS = 250;

/** Status fields upstream leaves out when zero (`omitempty`). */
const OMITTED_WHEN_ZERO = ["updatedNumberScheduled", "numberAvailable", "numberUnavailable"];

/** Options of {@link startDaemonSetController}. */
export interface DaemonSetControllerOptions extends ControllerOptions {
  /** Milliseconds since the epoch (tests may fix it). */
  now?: () => number;
  /** The back-off between replacing failed pods on a node (tests may shorten it). */
  failedPodBackoff?: FailedPodBackoffOptions;
}

/** Runs until the signal aborts. */
export async function startDaemonSetController(
  stores: StoreSet,
  options: DaemonSetControllerOptions,
): Promise<void> {
  const { signal, logger } = options;
  const now = options.now ?? Date.now;
  const informers = options.informers ??
    inProcessInformers(stores, { signal, logger });
  const daemonSets = informers.forKind("apps", "DaemonSet");
  const pods = informers.forKind("", "Pod");
  const nodes = informers.forKind("", "Node");
  const revisions = informers.forKind("apps", "ControllerRevision");
  indexByController(pods);
  indexByController(revisions);
  const podStore = stores.forKind("", "Pod");
  const dsStore = stores.forKind("apps", "DaemonSet");
  const queue = new WorkQueue();
  const expectations = new Expectations({ now });
  const failedPods = new FailedPodBackoff(options.failedPodBackoff);
  const history = new DaemonSetHistory({
    revisions,
    revisionStore: stores.forKind("apps", "ControllerRevision"),
    dsStore,
    fieldManager: CONTROLLER_FIELD_MANAGER,
  });
  const events = new EventRecorder(stores.forKind("", "Event"), {
    component: "daemonset-controller",
    logger,
  });
  const podControl = new PodControl({
    podStore,
    events,
    expectations,
    fieldManager: CONTROLLER_FIELD_MANAGER,
  });

  /** The DaemonSet a controller reference names, if it is still that one. */
  const resolve = (namespace: string | undefined, ref: OwnerReference | undefined) =>
    resolveControllerRef(daemonSets, DAEMON_SET_TYPE, namespace, ref);

  daemonSets.subscribe(({ type, object: ds }: CacheEvent) => {
    const key = objectKey(ds);
    if (type === "DELETED") {
      expectations.delete(key);
      failedPods.forgetPrefix(`${ds.metadata.uid}/`);
    }
    queue.add(key);
  });

  pods.subscribe(onOwnedPodEvent({
    owners: daemonSets,
    ownerType: DAEMON_SET_TYPE,
    expectations,
    queue,
  }));

  // A revision changed or deleted by someone else is put right by its DaemonSet.
  revisions.subscribe(({ type, object: revision }: CacheEvent) => {
    if (type === "ADDED") return;
    const owner = resolve(revision.metadata.namespace, controllerRefOf(revision));
    if (owner) queue.add(objectKey(owner));
  });

  // Heartbeats change nodes all the time; only labels and taints decide where daemons run.
  nodes.subscribe(({ type, object: node, old }: CacheEvent) => {
    if (type === "MODIFIED" && old) {
      if (
        deepEqual(old.metadata.labels, node.metadata.labels) &&
        deepEqual(old.spec?.taints, node.spec?.taints)
      ) return;
      for (const ds of daemonSets.list()) {
        const before = nodeShouldRunDaemonPod(old, ds);
        const after = nodeShouldRunDaemonPod(node, ds);
        if (
          before.shouldRun !== after.shouldRun ||
          before.shouldContinueRunning !== after.shouldContinueRunning
        ) queue.add(objectKey(ds));
      }
      return;
    }
    for (const ds of daemonSets.list()) {
      const fit = nodeShouldRunDaemonPod(node, ds);
      // A new node that should run it needs a pod; a node gone changes the desired count.
      if (fit.shouldRun || (type === "DELETED" && fit.shouldContinueRunning)) {
        queue.add(objectKey(ds));
      }
    }
  });

  // ---------------------------------------------------------------------------------------------
  // Writes

  /** Upstream's `syncNodes`: the deletions and creations of one step, each within the burst. */
  const syncNodes = async (
    ds: KubeObject,
    key: string,
    remove: KubeObject[],
    createOn: string[],
    hash: string,
  ) => {
    await podControl.createAndDelete(ds, key, {
      create: createOn.slice(0, BURST_REPLICAS).map((nodeName) => newDaemonPod(ds, nodeName, hash)),
      remove: remove.slice(0, BURST_REPLICAS),
    });
  };

  // ---------------------------------------------------------------------------------------------
  // Sync

  /** Whether a failed pod may be deleted now; records the attempt, or looks again later. */
  const mayReplaceFailed = (ds: KubeObject, pod: KubeObject, at: number) => {
    const node = targetNodeName(pod) ?? "";
    const backoffKey = `${ds.metadata.uid}/${node}`;
    const wait = failedPods.remainingMs(backoffKey, at);
    if (wait > 0) {
      queue.addAfter(objectKey(ds), wait);
      return false;
    }
    failedPods.next(backoffKey, at);
    events.warning(
      ds,
      "FailedDaemonPod",
      `Found failed daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${node}, will try to kill it`,
    );
    return true;
  };

  /**
   * Upstream's `manage`: a pod where one is missing, none where none belongs. True when it
   * created or deleted pods.
   */
  const manage = async (
    ds: KubeObject,
    key: string,
    fits: ReadonlyMap<string, NodeFit>,
    claimed: KubeObject[],
    hash: string,
  ) => {
    const at = now();
    const byNode = podsByNode(claimed);
    const surge = allowsSurge(ds);
    const minReadySeconds = ds.spec?.minReadySeconds ?? 0;
    const createOn: string[] = [];
    const remove: KubeObject[] = [];
    for (const [name, fit] of fits) {
      const plan = planNode({
        fit,
        pods: byNode.get(name),
        hash,
        surge,
        minReadySeconds,
        now: at,
        mayReplaceFailed: (pod) => mayReplaceFailed(ds, pod, at),
      });
      if (plan.create) createOn.push(name);
      remove.push(...plan.remove);
    }
    // Pods pinned to nodes that are gone would never be scheduled, nor collected.
    for (const [name, onNode] of byNode) {
      if (fits.has(name)) continue;
      remove.push(...onNode.filter((p) => !p.spec?.nodeName && !p.metadata.deletionTimestamp));
    }
    await syncNodes(ds, key, remove, createOn, hash);
    return remove.length + createOn.length > 0;
  };

  const writeStatus = async (
    ds: KubeObject,
    fits: ReadonlyMap<string, NodeFit>,
    claimed: KubeObject[],
    hash: string,
    observed: boolean,
  ) => {
    const at = now();
    const counts = daemonSetCounts(ds, fits, podsByNode(claimed), hash, templateGeneration(ds), at);
    const status: Record<string, unknown> = { ...clone(ds.status ?? {}), ...counts };
    for (const field of OMITTED_WHEN_ZERO) if (status[field] === 0) delete status[field];
    if (observed) status.observedGeneration = ds.metadata.generation ?? 1;
    if (!deepEqual(status, ds.status ?? {})) {
      try {
        await updateSameObject(dsStore, ds, (current) => {
          current.status = status;
        }, { subresource: "status", fieldManager: CONTROLLER_FIELD_MANAGER });
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    const next = nextAvailableAt(claimed, ds.spec?.minReadySeconds ?? 0, at);
    if (next !== undefined) queue.addAfter(objectKey(ds), next - at);
  };

  const sync = async (key: string) => {
    const { namespace, name } = splitKey(key);
    const ds = daemonSets.get(namespace, name);
    if (!ds) {
      expectations.delete(key);
      return;
    }
    const selector = ds.spec?.selector;
    if (!selector || deepEqual(selector, {})) {
      events.warning(
        ds,
        "SelectingAll",
        "This daemon set is selecting all pods. A non-empty selector is required.",
      );
      return;
    }
    // Being deleted: the garbage collector takes its pods; nothing to create or report.
    if (ds.metadata.deletionTimestamp) return;
    const claimed = await claimObjects({
      owner: ds,
      ownerType: DAEMON_SET_TYPE,
      selector: selectorOf(ds),
      cache: pods,
      store: podStore,
      fieldManager: CONTROLLER_FIELD_MANAGER,
      canAdopt: recheckOwner(dsStore, ds),
    });
    const { hash, old } = await history.construct(ds);
    const fits = new Map<string, NodeFit>();
    for (const node of nodes.list()) {
      fits.set(node.metadata.name!, nodeShouldRunDaemonPod(node, ds));
    }

    if (!expectations.satisfied(key)) {
      // Earlier creations or deletions are not in the cache yet: report, but do not act (nor
      // claim to have seen this generation).
      return await writeStatus(ds, fits, claimed, hash, false);
    }
    let failure: unknown;
    try {
      const acted = await manage(ds, key, fits, claimed, hash);
      const rolling = (ds.spec?.updateStrategy?.type ?? "RollingUpdate") === "RollingUpdate";
      // A rollout step waits for the cache to show what managing did (the snapshot is stale).
      if (rolling && !acted) {
        const plan = planRollingUpdate({
          ds,
          fits,
          byNode: podsByNode(claimed),
          hash,
          generation: templateGeneration(ds),
          now: now(),
        });
        await syncNodes(ds, key, plan.remove, plan.createOn, hash);
      }
      await history.cleanup(ds, old, claimed);
    } catch (error) {
      failure = error;
    }
    await writeStatus(ds, fits, claimed, hash, true);
    if (failure && !isNamespaceTerminating(failure)) throw failure;
  };

  await queue.run(
    sync,
    controllerRunOptions(
      "daemonset",
      options,
      informers.synced(daemonSets, pods, nodes, revisions),
    ),
  );
  if (!options.informers) await informers.stopped();
}
