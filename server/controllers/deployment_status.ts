/**
 * A Deployment's status from its ReplicaSets, and its conditions: `Available` (enough pods
 * available: `replicas - maxUnavailable`) and `Progressing` (a new ReplicaSet, pods moving,
 * complete, paused -- or stuck past `progressDeadlineSeconds`). `kubectl rollout status` reads
 * these fields; the reasons and messages are upstream's.
 *
 * @module
 */
import type { KubeObject } from "../../kube/types.ts";
import { timestamp } from "../apiserver/object_meta.ts";
import { maxUnavailableOf, specReplicas, statusCount } from "./deployment_rollout.ts";

/** One entry of `status.conditions`. */
export interface DeploymentCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  lastUpdateTime: string;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** Reasons of the conditions, as upstream names them. */
export const Reason = {
  NewReplicaSetCreated: "NewReplicaSetCreated",
  FoundNewReplicaSet: "FoundNewReplicaSet",
  ReplicaSetUpdated: "ReplicaSetUpdated",
  NewReplicaSetAvailable: "NewReplicaSetAvailable",
  ProgressDeadlineExceeded: "ProgressDeadlineExceeded",
  FailedReplicaSetCreate: "ReplicaSetCreateError",
  Paused: "DeploymentPaused",
  Resumed: "DeploymentResumed",
  MinimumReplicasAvailable: "MinimumReplicasAvailable",
  MinimumReplicasUnavailable: "MinimumReplicasUnavailable",
} as const;

/** A new condition, updated and transitioned `now`. */
export function newCondition(
  type: string,
  status: DeploymentCondition["status"],
  reason: string,
  message: string,
  now: number,
): DeploymentCondition {
  const time = timestamp(now);
  return { type, status, lastUpdateTime: time, lastTransitionTime: time, reason, message };
}

function conditionsOf(status: Record<string, unknown>): DeploymentCondition[] {
  return Array.isArray(status.conditions) ? status.conditions as DeploymentCondition[] : [];
}

/** The condition of a type, if set. */
export function getCondition(
  status: Record<string, unknown> | undefined,
  type: string,
): DeploymentCondition | undefined {
  return conditionsOf(status ?? {}).find((c) => c.type === type);
}

/** Removes the condition of a type. */
export function removeCondition(status: Record<string, unknown>, type: string): void {
  const kept = conditionsOf(status).filter((c) => c.type !== type);
  if (kept.length > 0) status.conditions = kept;
  else delete status.conditions;
}

/**
 * Sets a condition. Nothing changes when status and reason are the same; the transition time is
 * kept when only the reason changes.
 */
export function setCondition(status: Record<string, unknown>, condition: DeploymentCondition) {
  const current = getCondition(status, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) {
    return;
  }
  const next = { ...condition };
  if (current && current.status === condition.status) {
    next.lastTransitionTime = current.lastTransitionTime;
  }
  status.conditions = [...conditionsOf(status).filter((c) => c.type !== condition.type), next];
}

/** A deadline is set (upstream treats MaxInt32 as none). */
export function hasProgressDeadline(d: KubeObject): boolean {
  const deadline = d.spec?.progressDeadlineSeconds;
  return typeof deadline === "number" && deadline !== 2147483647;
}

/**
 * Counts summed over the ReplicaSets, `observedGeneration`, the kept conditions and `Available`.
 */
export function calculateStatus(
  d: KubeObject,
  allSets: readonly KubeObject[],
  newSet: KubeObject | undefined,
  now: number,
): Record<string, unknown> {
  const total = (field: string) => allSets.reduce((n, rs) => n + statusCount(rs, field), 0);
  const available = total("availableReplicas");
  const wanted = allSets.reduce((n, rs) => n + specReplicas(rs), 0);
  const status: Record<string, unknown> = {
    observedGeneration: d.metadata.generation ?? 1,
    replicas: total("replicas"),
    updatedReplicas: statusCount(newSet, "replicas"),
    readyReplicas: total("readyReplicas"),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, wanted - available),
  };
  const collisions = d.status?.collisionCount;
  if (typeof collisions === "number") status.collisionCount = collisions;
  const previous = conditionsOf(d.status ?? {});
  if (previous.length > 0) status.conditions = previous.map((c) => ({ ...c }));
  if (available >= specReplicas(d) - maxUnavailableOf(d)) {
    setCondition(
      status,
      newCondition(
        "Available",
        "True",
        Reason.MinimumReplicasAvailable,
        "Deployment has minimum availability.",
        now,
      ),
    );
  } else {
    setCondition(
      status,
      newCondition(
        "Available",
        "False",
        Reason.MinimumReplicasUnavailable,
        "Deployment does not have minimum availability.",
        now,
      ),
    );
  }
  return status;
}

/** All desired pods updated, present and available, and the latest spec observed. */
export function deploymentComplete(d: KubeObject, status: Record<string, unknown>): boolean {
  const desired = specReplicas(d);
  return status.updatedReplicas === desired && status.replicas === desired &&
    status.availableReplicas === desired &&
    Number(status.observedGeneration ?? 0) >= (d.metadata.generation ?? 1);
}

/** Something moved since the last status: more updated, fewer old, more ready or available. */
export function deploymentProgressing(d: KubeObject, status: Record<string, unknown>): boolean {
  const before = (field: string) => statusCount(d, field);
  const now = (field: string) => Number(status[field] ?? 0);
  const oldBefore = before("replicas") - before("updatedReplicas");
  const oldNow = now("replicas") - now("updatedReplicas");
  return now("updatedReplicas") > before("updatedReplicas") || oldNow < oldBefore ||
    now("readyReplicas") > before("readyReplicas") ||
    now("availableReplicas") > before("availableReplicas");
}

/** The last progress is older than the deadline. */
export function deploymentTimedOut(
  d: KubeObject,
  status: Record<string, unknown>,
  now: number,
): boolean {
  if (!hasProgressDeadline(d)) return false;
  const progressing = getCondition(status, "Progressing");
  if (!progressing || progressing.reason === Reason.NewReplicaSetAvailable) return false;
  if (progressing.reason === Reason.ProgressDeadlineExceeded) return true;
  const from = Date.parse(progressing.lastUpdateTime);
  return from + d.spec.progressDeadlineSeconds * 1000 < now;
}

/** The subject of Progressing messages. */
function subject(d: KubeObject, newSet: KubeObject | undefined): string {
  return newSet ? `ReplicaSet "${newSet.metadata.name}"` : `Deployment "${d.metadata.name}"`;
}

/**
 * The status after a rollout step: {@link calculateStatus} plus the Progressing condition, and
 * ReplicaFailure carried over from the ReplicaSets.
 */
export function rolloutStatus(
  d: KubeObject,
  allSets: readonly KubeObject[],
  newSet: KubeObject | undefined,
  now: number,
): Record<string, unknown> {
  const status = calculateStatus(d, allSets, newSet, now);
  if (!hasProgressDeadline(d)) removeCondition(status, "Progressing");
  const current = getCondition(status, "Progressing");
  const complete = status.replicas === status.updatedReplicas &&
    current?.reason === Reason.NewReplicaSetAvailable;
  if (hasProgressDeadline(d) && !complete) {
    if (deploymentComplete(d, status)) {
      setCondition(
        status,
        newCondition(
          "Progressing",
          "True",
          Reason.NewReplicaSetAvailable,
          `${subject(d, newSet)} has successfully progressed.`,
          now,
        ),
      );
    } else if (deploymentProgressing(d, status)) {
      // Progress refreshes lastUpdateTime even with the same reason: that is what the deadline
      // is measured from.
      const condition = newCondition(
        "Progressing",
        "True",
        Reason.ReplicaSetUpdated,
        `${subject(d, newSet)} is progressing.`,
        now,
      );
      if (current?.status === "True") condition.lastTransitionTime = current.lastTransitionTime;
      removeCondition(status, "Progressing");
      setCondition(status, condition);
    } else if (deploymentTimedOut(d, status, now)) {
      setCondition(
        status,
        newCondition(
          "Progressing",
          "False",
          Reason.ProgressDeadlineExceeded,
          `${subject(d, newSet)} has timed out progressing.`,
          now,
        ),
      );
    }
  }
  const failure = allSets
    .map((rs) => getCondition(rs.status, "ReplicaFailure"))
    .find((c) => c?.status === "True");
  if (failure) {
    setCondition(
      status,
      newCondition("ReplicaFailure", "True", failure.reason, failure.message, now),
    );
  } else removeCondition(status, "ReplicaFailure");
  return status;
}

/**
 * When to look again for a deadline that may pass (ms from now), or undefined when no deadline
 * can pass (complete, paused, timed out already, or none set).
 */
export function deadlineRecheckMs(
  d: KubeObject,
  status: Record<string, unknown>,
  now: number,
): number | undefined {
  const progressing = getCondition(status, "Progressing");
  if (!hasProgressDeadline(d) || !progressing) return undefined;
  if (
    progressing.reason === Reason.NewReplicaSetAvailable ||
    progressing.reason === Reason.ProgressDeadlineExceeded ||
    progressing.reason === Reason.Paused || deploymentComplete(d, status)
  ) return undefined;
  const due = Date.parse(progressing.lastUpdateTime) + d.spec.progressDeadlineSeconds * 1000;
  // One second late, so the deadline has certainly passed when we look.
  return Math.max(0, due - now) + 1000;
}
