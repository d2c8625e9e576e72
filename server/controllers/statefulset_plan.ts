/**
 * What a StatefulSet sync does next, decided without I/O from the set and its pods, in upstream's
 * order: first each replica slot from the lowest ordinal (create what is missing, delete what
 * finished so it is made again under the same name), then pods beyond the replica count from the
 * highest ordinal, then the rolling update from the highest ordinal down to the partition.
 * OrderedReady (monotonic) stops at the first step taken or the first replica not yet Running,
 * Ready and available, so ordinal i is made only once 0...i-1 are ready and scale-down goes one
 * pod at a time; Parallel does every replica and scale-down step at once. Also the status those
 * pods give.
 *
 * @module
 */
import { clone } from "../../kube/deep_equal.ts";
import type { KubeObject } from "../../kube/types.ts";
import { scaledValue } from "./deployment_rollout.ts";
import { isPodAvailable, isPodReady, isPodTerminal } from "./pod_state.ts";
import { desiredReplicas, ordinalOf, podRevision, startOrdinal } from "./statefulset_identity.ts";

/** One change to the set's pods. */
export type StatefulSetStep =
  | {
    kind: "create";
    ordinal: number;
    /** Made from the current revision (below the partition) rather than the update revision. */
    fromCurrent: boolean;
  }
  | {
    kind: "delete";
    pod: KubeObject;
    /** A finished replica, one beyond the replica count, or one replaced by the update. */
    why: "finished" | "condemned" | "update";
  };

/** The steps of one sync, by phase: a phase runs only once the one before it went through. */
export interface StatefulSetPlan {
  replicas: StatefulSetStep[];
  condemned: StatefulSetStep[];
  update: StatefulSetStep[];
  /** Why the plan stops short, when it does (for logs and tests). */
  waiting?: string;
}

/** What {@link planStatefulSet} decides from. */
export interface PlanInput {
  set: KubeObject;
  /** The pods the set controls whose names carry an ordinal. */
  pods: readonly KubeObject[];
  currentRevision: string;
  updateRevision: string;
  /** Milliseconds since the epoch, for `minReadySeconds`. */
  now: number;
}

/** Running with a Ready condition: what OrderedReady waits for. */
export function isRunningAndReady(pod: KubeObject): boolean {
  return pod.status?.phase === "Running" && isPodReady(pod);
}

function isTerminating(pod: KubeObject): boolean {
  return pod.metadata.deletionTimestamp !== undefined;
}

/** The `partition` of a RollingUpdate (0 when unset). */
export function partitionOf(set: KubeObject): number {
  const partition = set.spec?.updateStrategy?.rollingUpdate?.partition;
  return typeof partition === "number" && partition > 0 ? partition : 0;
}

function isRollingUpdate(set: KubeObject): boolean {
  return (set.spec?.updateStrategy?.type ?? "RollingUpdate") === "RollingUpdate";
}

/** `maxUnavailable` against the replica count, rounded up, and never below 1. */
export function maxUnavailableOf(set: KubeObject): number {
  const value = set.spec?.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1;
  return Math.max(1, scaledValue(value, desiredReplicas(set), true));
}

/** Orders of the set's pods: slots for the wanted ordinals and the rest, highest first. */
function placePods(set: KubeObject, pods: readonly KubeObject[]) {
  const start = startOrdinal(set);
  const slots: (KubeObject | undefined)[] = new Array(desiredReplicas(set)).fill(undefined);
  const condemned: KubeObject[] = [];
  for (const pod of pods) {
    const ordinal = ordinalOf(set, pod);
    if (ordinal === undefined) continue;
    if (ordinal >= start && ordinal - start < slots.length) slots[ordinal - start] = pod;
    else condemned.push(pod);
  }
  condemned.sort((a, b) => ordinalOf(set, b)! - ordinalOf(set, a)!);
  return { start, slots, condemned };
}

/** Decides the next steps for a set. */
export function planStatefulSet(input: PlanInput): StatefulSetPlan {
  const { set, now } = input;
  const plan: StatefulSetPlan = { replicas: [], condemned: [], update: [] };
  if (set.metadata.deletionTimestamp) {
    plan.waiting = "the set is being deleted";
    return plan;
  }
  const monotonic = set.spec?.podManagementPolicy !== "Parallel";
  const minReadySeconds: number = set.spec?.minReadySeconds ?? 0;
  const healthy = (pod: KubeObject | undefined) =>
    pod !== undefined && !isTerminating(pod) && isRunningAndReady(pod) &&
    isPodAvailable(pod, minReadySeconds, now);
  const { start, slots, condemned } = placePods(set, input.pods);
  const partition = partitionOf(set);
  const rolling = isRollingUpdate(set);
  /** The revision each slot is (or will be) at, for the update phase. */
  const revisions = slots.map((pod) => pod && podRevision(pod));

  for (let i = 0; i < slots.length; i++) {
    const pod = slots[i];
    const ordinal = start + i;
    if (!pod) {
      const fromCurrent = rolling && ordinal < partition &&
        input.currentRevision !== input.updateRevision;
      plan.replicas.push({ kind: "create", ordinal, fromCurrent });
      revisions[i] = fromCurrent ? input.currentRevision : input.updateRevision;
      if (monotonic) return stop(plan, `pod ${ordinal} to be created`);
      continue;
    }
    if (isPodTerminal(pod)) {
      // Made again under the same name once this one is gone.
      if (!isTerminating(pod)) plan.replicas.push({ kind: "delete", pod, why: "finished" });
      if (monotonic) return stop(plan, `finished pod ${pod.metadata.name} to be replaced`);
      continue;
    }
    if (monotonic && !healthy(pod)) {
      return stop(plan, `pod ${pod.metadata.name} to be Running and Ready`);
    }
  }

  // The lowest unhealthy pod may go first; any other unhealthy pod blocks OrderedReady scale-down.
  const firstUnhealthy = slots.find((pod) => !healthy(pod)) ??
    condemned.findLast((pod) => !healthy(pod));
  for (const pod of condemned) {
    if (isTerminating(pod)) {
      if (monotonic) return stop(plan, `pod ${pod.metadata.name} to terminate`);
      continue;
    }
    if (monotonic && !healthy(pod) && pod !== firstUnhealthy) {
      return stop(plan, `pod ${pod.metadata.name} to be Running and Ready before scale-down`);
    }
    plan.condemned.push({ kind: "delete", pod, why: "condemned" });
    if (monotonic) return stop(plan, `pod ${pod.metadata.name} to terminate`);
  }

  if (!rolling) return plan;
  const maxUnavailable = maxUnavailableOf(set);
  let unavailable = slots.filter((pod) => !healthy(pod)).length;
  if (unavailable >= maxUnavailable) {
    return stop(plan, `${unavailable} unavailable pods (at most ${maxUnavailable})`);
  }
  for (let i = slots.length - 1; i >= 0 && start + i >= partition; i--) {
    const pod = slots[i];
    if (!pod || isTerminating(pod) || revisions[i] === input.updateRevision) continue;
    plan.update.push({ kind: "delete", pod, why: "update" });
    if (++unavailable >= maxUnavailable) break;
  }
  return plan;
}

function stop(plan: StatefulSetPlan, waiting: string): StatefulSetPlan {
  plan.waiting = `waiting for ${waiting}`;
  return plan;
}

/** The counts and revisions of a set's status. */
export interface StatefulSetStatusInput {
  set: KubeObject;
  pods: readonly KubeObject[];
  currentRevision: string;
  updateRevision: string;
  collisionCount: number;
  now: number;
}

/**
 * The status the set's pods give, as upstream counts: every pod is a replica, Running and Ready
 * ones are ready (available after `minReadySeconds`), and pods not terminating count towards the
 * revision they carry. A rolling update whose pods are all updated and ready completes: the
 * update revision becomes the current one.
 */
export function statefulSetStatus(input: StatefulSetStatusInput): Record<string, unknown> {
  const { set, now } = input;
  const minReadySeconds: number = set.spec?.minReadySeconds ?? 0;
  let replicas = 0, ready = 0, available = 0, current = 0, updated = 0;
  for (const pod of input.pods) {
    if (ordinalOf(set, pod) === undefined) continue;
    replicas++;
    if (isRunningAndReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReadySeconds, now)) available++;
    }
    if (isTerminating(pod)) continue;
    const revision = podRevision(pod);
    if (revision === input.currentRevision) current++;
    if (revision === input.updateRevision) updated++;
  }
  let currentRevision = input.currentRevision;
  if (isRollingUpdate(set) && updated === replicas && ready === replicas) {
    current = updated;
    currentRevision = input.updateRevision;
  }
  const status: Record<string, unknown> = {
    observedGeneration: set.metadata.generation ?? 1,
    replicas,
    readyReplicas: ready,
    currentReplicas: current,
    updatedReplicas: updated,
    currentRevision,
    updateRevision: input.updateRevision,
    collisionCount: input.collisionCount,
    availableReplicas: available,
  };
  if (Array.isArray(set.status?.conditions)) status.conditions = clone(set.status.conditions);
  return status;
}
