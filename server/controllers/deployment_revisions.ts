/**
 * A Deployment's revisions: the number each ReplicaSet carries (the next one going to the
 * ReplicaSet of the current template, the number it had kept in its history when rolled back
 * to), the Deployment's own annotations copied onto it, and the replica counts it was last
 * scaled for.
 *
 * @module
 */
import type { KubeObject } from "../../kube/types.ts";
import {
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  maxSurgeOf,
  specReplicas,
} from "./deployment_rollout.ts";

/** The rollout number, on the Deployment and on each of its ReplicaSets. */
export const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";
/** Earlier revision numbers of a ReplicaSet that was rolled back to. */
export const REVISION_HISTORY_ANNOTATION = "deployment.kubernetes.io/revision-history";

/** Deployment annotations not copied to its ReplicaSets. */
const NOT_COPIED = new Set([
  "kubectl.kubernetes.io/last-applied-configuration",
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  "deprecated.deployment.rollback.to",
]);

/** A ReplicaSet's revision number (0 when it has none). */
export function revisionOf(object: KubeObject | undefined): number {
  const value = Number(object?.metadata.annotations?.[REVISION_ANNOTATION] ?? 0);
  return Number.isFinite(value) ? value : 0;
}

/** Copies the Deployment's own annotations to a ReplicaSet; true when any changed. */
function copyAnnotations(d: KubeObject, rs: KubeObject): boolean {
  let changed = false;
  rs.metadata.annotations ??= {};
  for (const [key, value] of Object.entries(d.metadata.annotations ?? {})) {
    if (NOT_COPIED.has(key) || rs.metadata.annotations[key] === value) continue;
    rs.metadata.annotations[key] = value;
    changed = true;
  }
  return changed;
}

/** Sets the desired/max replicas annotations; true when any changed. */
export function setScaleAnnotations(d: KubeObject, rs: KubeObject): boolean {
  const desired = String(specReplicas(d));
  const max = String(specReplicas(d) + maxSurgeOf(d));
  const annotations = rs.metadata.annotations ??= {};
  if (
    annotations[DESIRED_REPLICAS_ANNOTATION] === desired &&
    annotations[MAX_REPLICAS_ANNOTATION] === max
  ) {
    return false;
  }
  annotations[DESIRED_REPLICAS_ANNOTATION] = desired;
  annotations[MAX_REPLICAS_ANNOTATION] = max;
  return true;
}

/**
 * Gives the new ReplicaSet the next revision (keeping the one it had in its history when it is
 * rolled back to) and the Deployment's annotations; true when any changed.
 */
export function setNewReplicaSetAnnotations(
  d: KubeObject,
  rs: KubeObject,
  revision: number,
): boolean {
  let changed = copyAnnotations(d, rs);
  const annotations = rs.metadata.annotations ??= {};
  const previous = annotations[REVISION_ANNOTATION];
  if (previous === undefined || Number(previous) < revision) {
    annotations[REVISION_ANNOTATION] = String(revision);
    if (previous !== undefined) {
      const history = annotations[REVISION_HISTORY_ANNOTATION];
      annotations[REVISION_HISTORY_ANNOTATION] = history ? `${history},${previous}` : previous;
    }
    changed = true;
  }
  return changed;
}
