/**
 * What controllers (and the scheduler, the node lifecycle controller and the simulated kubelet)
 * read from a pod's status: whether it has finished (terminal), still counts (active), is ready,
 * has been ready long enough to be available, and which pods to delete first when there are too
 * many.
 *
 * @module
 */
import type { KubeObject } from "../../kube/types.ts";

/** The annotation that lets users say which pods go first on scale-down (lower goes first). */
export const POD_DELETION_COST = "controller.kubernetes.io/pod-deletion-cost";

interface Condition {
  type?: string;
  status?: string;
  lastTransitionTime?: string;
}

function readyCondition(pod: KubeObject): Condition | undefined {
  const conditions: unknown = pod.status?.conditions;
  if (!Array.isArray(conditions)) return undefined;
  return conditions.find((c: Condition) => c?.type === "Ready");
}

/** Finished, Succeeded or Failed: nothing runs any more and no resources are held. */
export function isPodTerminal(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return phase === "Succeeded" || phase === "Failed";
}

/** Neither finished nor being deleted: a pod that counts towards a controller's replicas. */
export function isPodActive(pod: KubeObject): boolean {
  return !isPodTerminal(pod) && !pod.metadata.deletionTimestamp;
}

/** The pod's Ready condition is True. */
export function isPodReady(pod: KubeObject): boolean {
  return readyCondition(pod)?.status === "True";
}

/** Since when the pod has been ready (ms since the epoch), or undefined when it is not. */
export function podReadySince(pod: KubeObject): number | undefined {
  const ready = readyCondition(pod);
  if (ready?.status !== "True") return undefined;
  const at = Date.parse(ready.lastTransitionTime ?? "");
  return Number.isNaN(at) ? 0 : at;
}

/** Ready for at least `minReadySeconds` at `now`. */
export function isPodAvailable(pod: KubeObject, minReadySeconds: number, now: number): boolean {
  const since = podReadySince(pod);
  if (since === undefined) return false;
  return minReadySeconds <= 0 || since + minReadySeconds * 1000 <= now;
}

/**
 * When a ready pod that is not yet available becomes available (ms since the epoch), so a
 * controller can look again then; undefined when nothing is waiting.
 */
export function nextAvailableAt(
  pods: readonly KubeObject[],
  minReadySeconds: number,
  now: number,
): number | undefined {
  if (minReadySeconds <= 0) return undefined;
  let next: number | undefined;
  for (const pod of pods) {
    const since = podReadySince(pod);
    if (since === undefined) continue;
    const at = since + minReadySeconds * 1000;
    if (at > now && (next === undefined || at < next)) next = at;
  }
  return next;
}

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function restarts(pod: KubeObject): number {
  const statuses: unknown = pod.status?.containerStatuses;
  if (!Array.isArray(statuses)) return 0;
  return statuses.reduce(
    (sum: number, s: { restartCount?: number }) => sum + (s?.restartCount ?? 0),
    0,
  );
}

function deletionCost(pod: KubeObject): number {
  const cost = Number(pod.metadata.annotations?.[POD_DELETION_COST] ?? 0);
  return Number.isFinite(cost) ? cost : 0;
}

/**
 * Pods ordered most-deletable first, as upstream ranks them: unscheduled before scheduled;
 * pending before unknown before running; not ready before ready; lower deletion cost first; pods
 * on nodes crowded with their siblings first; ready for a shorter time first; more restarts
 * first; newer first. `siblings` are the pods of the same controller, to count per node.
 */
export function rankForDeletion(
  pods: readonly KubeObject[],
  siblings: readonly KubeObject[] = pods,
): KubeObject[] {
  const perNode = new Map<string, number>();
  for (const pod of siblings) {
    const node = pod.spec?.nodeName;
    if (node && isPodActive(pod)) perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  const crowd = (pod: KubeObject) => pod.spec?.nodeName ? perNode.get(pod.spec.nodeName) ?? 0 : 0;
  const created = (pod: KubeObject) => Date.parse(pod.metadata.creationTimestamp ?? "") || 0;
  return [...pods].sort((a, b) => {
    const scheduled = Number(Boolean(a.spec?.nodeName)) - Number(Boolean(b.spec?.nodeName));
    if (scheduled !== 0) return scheduled;
    const phase = (PHASE_ORDER[a.status?.phase] ?? 0) - (PHASE_ORDER[b.status?.phase] ?? 0);
    if (phase !== 0) return phase;
    const ready = Number(isPodReady(a)) - Number(isPodReady(b));
    if (ready !== 0) return ready;
    const cost = deletionCost(a) - deletionCost(b);
    if (cost !== 0) return cost;
    const crowded = crowd(b) - crowd(a);
    if (crowded !== 0) return crowded;
    const sinceA = podReadySince(a);
    const sinceB = podReadySince(b);
    if (sinceA !== undefined && sinceB !== undefined && sinceA !== sinceB) return sinceB - sinceA;
    const restarted = restarts(b) - restarts(a);
    if (restarted !== 0) return restarted;
    return created(b) - created(a);
  });
}
