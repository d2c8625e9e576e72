/**
 * The DaemonSet controller's decisions, as pure functions of what the caches show: which nodes
 * need a daemon pod and which pods must go (upstream's `podsShouldBeOnNode`), which old pods a
 * rolling update replaces next within `maxUnavailable` -- or, with `maxSurge`, on which nodes it
 * starts new pods first -- and the counts the status reports.
 *
 * @module
 */
import type { KubeObject } from "../../kube/types.ts";
import { isPodAvailable, isPodReady, isPodTerminal } from "./pod_state.ts";
import { scaledValue } from "./deployment_rollout.ts";
import { REVISION_HASH_LABEL } from "./controller_history.ts";
import { isPodUpdated, type NodeFit, targetNodeName } from "./daemonset_nodes.ts";

/**
 * A DaemonSet's pods by the node they are for (bound, or pinned by affinity); pods naming no
 * node are left out. Pods that finished and are being deleted are left out too unless asked
 * for: they hold nothing, and the node may get its replacement meanwhile.
 */
export function podsByNode(
  pods: readonly KubeObject[],
  includeDeletedTerminal = false,
): Map<string, KubeObject[]> {
  const byNode = new Map<string, KubeObject[]>();
  for (const pod of pods) {
    if (!includeDeletedTerminal && pod.metadata.deletionTimestamp && isPodTerminal(pod)) continue;
    const node = targetNodeName(pod);
    if (node === undefined) continue;
    const list = byNode.get(node);
    if (list) list.push(pod);
    else byNode.set(node, [pod]);
  }
  return byNode;
}

/** Bound pods first, then oldest first, then by name (upstream's `podByCreationTimestampAndPhase`). */
export function byBoundThenAge(a: KubeObject, b: KubeObject): number {
  const bound = Number(Boolean(b.spec?.nodeName)) - Number(Boolean(a.spec?.nodeName));
  if (bound !== 0) return bound;
  const at = Date.parse(a.metadata.creationTimestamp ?? "") || 0;
  const bt = Date.parse(b.metadata.creationTimestamp ?? "") || 0;
  if (at !== bt) return at - bt;
  return a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0;
}

/** `maxUnavailable` and `maxSurge` against the nodes that should run the pod (rounded up). */
export function rollingUpdateLimits(
  ds: KubeObject,
  desired: number,
): { maxUnavailable: number; maxSurge: number } {
  const strategy = ds.spec?.updateStrategy ?? {};
  if ((strategy.type ?? "RollingUpdate") !== "RollingUpdate") {
    return { maxUnavailable: 0, maxSurge: 0 };
  }
  const rollingUpdate = strategy.rollingUpdate ?? {};
  const maxUnavailable = scaledValue(rollingUpdate.maxUnavailable ?? 1, desired, true);
  const maxSurge = scaledValue(rollingUpdate.maxSurge ?? 0, desired, true);
  // An impossible pair (validation forbids it) still lets the rollout move, as upstream.
  if (maxUnavailable === 0 && maxSurge === 0) return { maxUnavailable: 1, maxSurge: 0 };
  return { maxUnavailable, maxSurge };
}

/** Whether new pods may start next to old ones during a rolling update (a non-zero maxSurge). */
export function allowsSurge(ds: KubeObject): boolean {
  try {
    return rollingUpdateLimits(ds, 1).maxSurge !== 0;
  } catch {
    return false;
  }
}

/** What {@link planNode} reads about one node. */
export interface NodePlanInput {
  fit: NodeFit;
  /** The DaemonSet's pods for the node (absent: none). */
  pods: readonly KubeObject[] | undefined;
  hash: string;
  surge: boolean;
  minReadySeconds: number;
  now: number;
  /**
   * Whether a failed pod may be deleted now; false while the node's failed-pod back-off runs.
   * (The caller records the attempt and looks again after the back-off.)
   */
  mayReplaceFailed(pod: KubeObject): boolean;
}

/** What one node needs: a new daemon pod, and pods to delete. */
export interface NodePlan {
  create: boolean;
  remove: KubeObject[];
}

/**
 * Upstream's `podsShouldBeOnNode`: a pod where one should run and none is; failed pods deleted
 * (within the back-off) and succeeded ones too; of several running pods the oldest kept (with
 * surge: the oldest new one, and an old one only while the new one is not yet available); every
 * pod deleted from a node that may no longer run one.
 */
export function planNode(input: NodePlanInput): NodePlan {
  const { fit, pods } = input;
  const plan: NodePlan = { create: false, remove: [] };
  if (fit.shouldRun && (!pods || pods.length === 0)) return { create: true, remove: [] };
  if (!fit.shouldContinueRunning) {
    if (pods) plan.remove = pods.filter((p) => !p.metadata.deletionTimestamp);
    return plan;
  }
  const running: KubeObject[] = [];
  for (const pod of pods ?? []) {
    if (pod.metadata.deletionTimestamp) continue;
    const phase = pod.status?.phase;
    if (phase === "Failed") {
      if (input.mayReplaceFailed(pod)) plan.remove.push(pod);
    } else if (phase === "Succeeded") plan.remove.push(pod);
    else running.push(pod);
  }
  running.sort(byBoundThenAge);
  if (!input.surge) {
    plan.remove.push(...running.slice(1));
    return plan;
  }
  if (running.length <= 1) {
    plan.create = running.length === 0 && fit.shouldRun;
    return plan;
  }
  let oldestNew: KubeObject | undefined;
  let oldestOld: KubeObject | undefined;
  for (const pod of running) {
    const isNew = pod.metadata.labels?.[REVISION_HASH_LABEL] === input.hash;
    if (isNew && !oldestNew) oldestNew = pod;
    else if (!isNew && !oldestOld) oldestOld = pod;
    else plan.remove.push(pod);
  }
  // Two pods only while the old one serves and the new one is not yet available.
  if (
    oldestNew && oldestOld &&
    (!isPodReady(oldestOld) || isPodAvailable(oldestNew, input.minReadySeconds, input.now))
  ) {
    plan.remove.push(oldestOld);
  }
  return plan;
}

/** The one new and one old pod on a node; undefined when there are more (cleanup comes first). */
function updatedAndOld(
  pods: readonly KubeObject[],
  hash: string,
  generation: number,
): { newPod?: KubeObject; oldPod?: KubeObject } | undefined {
  let newPod: KubeObject | undefined;
  let oldPod: KubeObject | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    if (isPodUpdated(pod, hash, generation)) {
      if (newPod) return undefined;
      newPod = pod;
    } else {
      if (oldPod) return undefined;
      oldPod = pod;
    }
  }
  return { newPod, oldPod };
}

/** What {@link planRollingUpdate} reads. */
export interface RollingUpdateInput {
  ds: KubeObject;
  /** Every node's fit, by node name. */
  fits: ReadonlyMap<string, NodeFit>;
  /** The DaemonSet's pods by node ({@link podsByNode}). */
  byNode: ReadonlyMap<string, readonly KubeObject[]>;
  hash: string;
  generation: number;
  now: number;
}

/** The next step of a rolling update: old pods to delete, nodes to start new pods on (surge). */
export interface RollingUpdatePlan {
  remove: KubeObject[];
  createOn: string[];
}

/**
 * Upstream's `rollingUpdate`. Without surge: old pods that are not available are replaced at
 * once; available ones only while fewer than `maxUnavailable` nodes (counting nodes without a
 * pod, with an unavailable new pod, or with a mess the manage step must clean up first) are
 * unavailable. With surge: a new pod starts next to an old one on up to `maxSurge` nodes (at
 * once where the old one is not available), and an old pod goes once the new one beside it is
 * available. Nodes are taken in name order.
 */
export function planRollingUpdate(input: RollingUpdateInput): RollingUpdatePlan {
  const { ds, hash, generation, now } = input;
  const minReadySeconds = ds.spec?.minReadySeconds ?? 0;
  const available = (pod: KubeObject) => isPodAvailable(pod, minReadySeconds, now);
  const nodes = new Map<string, readonly KubeObject[]>(input.byNode);
  let desired = 0;
  for (const [name, fit] of input.fits) {
    if (!fit.shouldRun) continue;
    desired++;
    if (!nodes.has(name)) nodes.set(name, []);
  }
  const { maxUnavailable, maxSurge } = rollingUpdateLimits(ds, desired);
  const names = [...nodes.keys()].sort();

  if (maxSurge === 0) {
    let unavailable = 0;
    const replaceNow: KubeObject[] = [];
    const candidates: KubeObject[] = [];
    for (const name of names) {
      const found = updatedAndOld(nodes.get(name)!, hash, generation);
      if (!found || (found.newPod === undefined) === (found.oldPod === undefined)) {
        // No pod, or a mess the manage step sorts out: unavailable either way.
        unavailable++;
      } else if (found.newPod) {
        if (!available(found.newPod)) unavailable++;
      } else if (!available(found.oldPod!)) replaceNow.push(found.oldPod!);
      else if (unavailable < maxUnavailable) candidates.push(found.oldPod!);
    }
    const room = Math.min(Math.max(0, maxUnavailable - unavailable), candidates.length);
    return { remove: [...replaceNow, ...candidates.slice(0, room)], createOn: [] };
  }

  let surging = 0;
  const startNow: string[] = [];
  const candidates: string[] = [];
  const remove: KubeObject[] = [];
  for (const name of names) {
    const found = updatedAndOld(nodes.get(name)!, hash, generation);
    if (!found) {
      surging++;
      continue;
    }
    const { newPod, oldPod } = found;
    if (!oldPod) continue;
    if (!newPod) {
      if (!available(oldPod)) startNow.push(name);
      else if (surging < maxSurge) candidates.push(name);
    } else if (!available(newPod)) surging++;
    else remove.push(oldPod);
  }
  const room = Math.min(Math.max(0, maxSurge - surging), candidates.length);
  return { remove, createOn: [...startNow, ...candidates.slice(0, room)] };
}

/** The counts in a DaemonSet's status. */
export interface DaemonSetCounts {
  desiredNumberScheduled: number;
  currentNumberScheduled: number;
  numberMisscheduled: number;
  numberReady: number;
  updatedNumberScheduled: number;
  numberAvailable: number;
  numberUnavailable: number;
}

/**
 * Upstream's status counts: per node that should run the pod, whether it has one, and whether
 * the oldest is ready, available and of the current template; pods on nodes that should not run
 * one are misscheduled.
 */
export function daemonSetCounts(
  ds: KubeObject,
  fits: ReadonlyMap<string, NodeFit>,
  byNode: ReadonlyMap<string, readonly KubeObject[]>,
  hash: string,
  generation: number,
  now: number,
): DaemonSetCounts {
  const minReadySeconds = ds.spec?.minReadySeconds ?? 0;
  const counts: DaemonSetCounts = {
    desiredNumberScheduled: 0,
    currentNumberScheduled: 0,
    numberMisscheduled: 0,
    numberReady: 0,
    updatedNumberScheduled: 0,
    numberAvailable: 0,
    numberUnavailable: 0,
  };
  for (const [name, fit] of fits) {
    const pods = byNode.get(name) ?? [];
    if (!fit.shouldRun) {
      if (pods.length > 0) counts.numberMisscheduled++;
      continue;
    }
    counts.desiredNumberScheduled++;
    if (pods.length === 0) continue;
    counts.currentNumberScheduled++;
    const pod = [...pods].sort(byBoundThenAge)[0];
    if (isPodReady(pod)) {
      counts.numberReady++;
      if (isPodAvailable(pod, minReadySeconds, now)) counts.numberAvailable++;
    }
    if (isPodUpdated(pod, hash, generation)) counts.updatedNumberScheduled++;
  }
  counts.numberUnavailable = counts.desiredNumberScheduled - counts.numberAvailable;
  return counts;
}
