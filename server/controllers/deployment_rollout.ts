/**
 * The arithmetic of a Deployment's rollout, without I/O: how far `maxSurge` and `maxUnavailable`
 * let it go, how big the new ReplicaSet may grow, how far the old ones may shrink, and how a
 * scale during a rollout is shared out among them. Functions take the cached objects and return
 * target sizes; the controller writes them.
 *
 * @module
 */
import type { KubeObject } from "../../kube/types.ts";

/** Annotation on a ReplicaSet: the Deployment's replicas when it was last scaled. */
export const DESIRED_REPLICAS_ANNOTATION = "deployment.kubernetes.io/desired-replicas";
/** Annotation on a ReplicaSet: replicas + maxSurge when it was last scaled. */
export const MAX_REPLICAS_ANNOTATION = "deployment.kubernetes.io/max-replicas";

/** `spec.replicas` of a Deployment or ReplicaSet (1 when unset, as defaulted). */
export function specReplicas(object: KubeObject | undefined): number {
  if (!object) return 0;
  const replicas = object.spec?.replicas;
  return typeof replicas === "number" ? replicas : 1;
}

/** A number from the status, 0 when unset. */
export function statusCount(object: KubeObject | undefined, field: string): number {
  const value = object?.status?.[field];
  return typeof value === "number" ? value : 0;
}

/**
 * Pods of a ReplicaSet that are available and will stay: never more than it is scaled to, since
 * a status not yet caught up with a scale-down would otherwise count pods that are going.
 */
export function lastingAvailable(rs: KubeObject): number {
  return Math.min(statusCount(rs, "availableReplicas"), specReplicas(rs));
}

function sum(sets: readonly KubeObject[], count: (rs: KubeObject) => number): number {
  return sets.reduce((total, rs) => total + count(rs), 0);
}

/**
 * An int-or-percent against a total: a number as is, a percentage of `total` rounded up or down.
 * @throws {Error} for a string that is not a percentage
 */
export function scaledValue(value: unknown, total: number, roundUp: boolean): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === "number") return value;
  const match = /^(\d+)%$/.exec(String(value));
  if (!match) throw new Error(`invalid value for IntOrString: invalid value "${value}"`);
  const scaled = (Number(match[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

function isRollingUpdate(d: KubeObject): boolean {
  return (d.spec?.strategy?.type ?? "RollingUpdate") === "RollingUpdate";
}

/**
 * `maxSurge` rounded up and `maxUnavailable` rounded down against the desired replicas; when
 * both come to zero, one pod may be unavailable so the rollout can move at all.
 */
export function resolveFenceposts(d: KubeObject): { maxSurge: number; maxUnavailable: number } {
  const desired = specReplicas(d);
  const rolling = d.spec?.strategy?.rollingUpdate ?? {};
  const maxSurge = scaledValue(rolling.maxSurge ?? "25%", desired, true);
  const maxUnavailable = scaledValue(rolling.maxUnavailable ?? "25%", desired, false);
  if (maxSurge === 0 && maxUnavailable === 0) return { maxSurge, maxUnavailable: 1 };
  return { maxSurge, maxUnavailable };
}

/** Pods the rollout may add above the desired count (0 for Recreate). */
export function maxSurgeOf(d: KubeObject): number {
  return isRollingUpdate(d) ? resolveFenceposts(d).maxSurge : 0;
}

/** Pods that may be unavailable, never more than desired (0 for Recreate). */
export function maxUnavailableOf(d: KubeObject): number {
  const desired = specReplicas(d);
  if (!isRollingUpdate(d) || desired === 0) return 0;
  return Math.min(resolveFenceposts(d).maxUnavailable, desired);
}

/** The size the new ReplicaSet may have now. */
export function newReplicaSetSize(
  d: KubeObject,
  allSets: readonly KubeObject[],
  newSet: KubeObject,
): number {
  const desired = specReplicas(d);
  if (!isRollingUpdate(d)) return desired;
  const current = specReplicas(newSet);
  const maxTotal = desired + maxSurgeOf(d);
  const total = sum(allSets, specReplicas);
  if (total >= maxTotal) return current;
  return current + Math.max(0, Math.min(maxTotal - total, desired - current));
}

/** Oldest first (then by name, so the order is total). */
export function byCreation(a: KubeObject, b: KubeObject): number {
  const at = Date.parse(a.metadata.creationTimestamp ?? "") || 0;
  const bt = Date.parse(b.metadata.creationTimestamp ?? "") || 0;
  return at - bt || (a.metadata.name! < b.metadata.name! ? -1 : 1);
}

/**
 * The sizes old ReplicaSets may shrink to in a rolling update (by name; unchanged ones left
 * out). First their unavailable pods go, as far as the new ReplicaSet's unavailable pods leave
 * room; then available ones, oldest ReplicaSet first, down to `replicas - maxUnavailable`
 * available pods.
 */
export function oldReplicaSetsScaleDown(
  d: KubeObject,
  oldSets: readonly KubeObject[],
  newSet: KubeObject | undefined,
): Map<string, number> {
  const sizes = new Map<string, number>();
  if (sum(oldSets, specReplicas) === 0) return sizes;
  const all = newSet ? [...oldSets, newSet] : [...oldSets];
  const minAvailable = specReplicas(d) - maxUnavailableOf(d);
  const newUnavailable = newSet ? specReplicas(newSet) - lastingAvailable(newSet) : 0;
  const maxScaledDown = sum(all, specReplicas) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return sizes;

  const sorted = [...oldSets].sort(byCreation);
  const size = (rs: KubeObject) => sizes.get(rs.metadata.name!) ?? specReplicas(rs);
  let cleaned = 0;
  for (const rs of sorted) {
    if (cleaned >= maxScaledDown) break;
    const unhealthy = specReplicas(rs) - lastingAvailable(rs);
    if (specReplicas(rs) === 0 || unhealthy <= 0) continue;
    const down = Math.min(maxScaledDown - cleaned, unhealthy);
    sizes.set(rs.metadata.name!, specReplicas(rs) - down);
    cleaned += down;
  }

  const available = sum(all, (rs) => Math.min(lastingAvailable(rs), size(rs)));
  if (available <= minAvailable) return sizes;
  const toScaleDown = available - minAvailable;
  let scaled = 0;
  for (const rs of sorted) {
    if (scaled >= toScaleDown) break;
    const current = size(rs);
    if (current === 0) continue;
    const down = Math.min(current, toScaleDown - scaled);
    sizes.set(rs.metadata.name!, current - down);
    scaled += down;
  }
  return sizes;
}

/** ReplicaSets with pods wanted. */
export function activeSets(sets: readonly (KubeObject | undefined)[]): KubeObject[] {
  return sets.filter((rs): rs is KubeObject => rs !== undefined && specReplicas(rs) > 0);
}

/**
 * True when an active ReplicaSet was last scaled for another replica count than the Deployment's:
 * the user scaled the Deployment, which is handled apart from a rollout.
 */
export function isScalingEvent(d: KubeObject, sets: readonly KubeObject[]): boolean {
  return activeSets(sets).some((rs) => {
    const desired = rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION];
    return desired !== undefined && Number(desired) !== specReplicas(d);
  });
}

/** The new ReplicaSet runs all desired pods, all available: the old ones can go. */
function isSaturated(d: KubeObject, rs: KubeObject | undefined): boolean {
  if (!rs) return false;
  const desired = specReplicas(d);
  return specReplicas(rs) === desired &&
    Number(rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION]) === desired &&
    statusCount(rs, "availableReplicas") === desired;
}

/**
 * The share of a scale a ReplicaSet gets, in proportion to its size against the replicas + surge
 * it was last scaled for.
 */
function proportion(
  d: KubeObject,
  rs: KubeObject,
  toAdd: number,
  added: number,
): number {
  const size = specReplicas(rs);
  if (size === 0 || toAdd === 0 || toAdd === added) return 0;
  let fraction: number;
  if (specReplicas(d) === 0) fraction = -size;
  else {
    const annotated = Number(rs.metadata.annotations?.[MAX_REPLICAS_ANNOTATION]);
    const before = Number.isFinite(annotated) && annotated > 0
      ? annotated
      : statusCount(d, "replicas");
    const target = specReplicas(d) + maxSurgeOf(d);
    fraction = before > 0 ? Math.round((size * target) / before) - size : 0;
  }
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/**
 * The sizes after the Deployment itself was scaled (or while paused): one active ReplicaSet takes
 * the whole count; a saturated new one lets the old go; otherwise, in a rolling update, the
 * change is shared out in proportion, what rounding leaves going to the largest ReplicaSet.
 * Returns every ReplicaSet whose size or scale annotations need writing.
 */
export function scaleSizes(
  d: KubeObject,
  newSet: KubeObject | undefined,
  oldSets: readonly KubeObject[],
): Map<KubeObject, number> {
  const sizes = new Map<KubeObject, number>();
  const desired = specReplicas(d);
  const olds = [...oldSets].sort(byCreation);
  const active = activeSets([...olds, newSet]);
  if (active.length <= 1) {
    const target = active[0] ?? newSet ?? olds[olds.length - 1];
    if (target) sizes.set(target, desired);
    return sizes;
  }
  if (isSaturated(d, newSet)) {
    for (const rs of activeSets(olds)) sizes.set(rs, 0);
    return sizes;
  }
  if (!isRollingUpdate(d)) return sizes;
  const allowed = desired > 0 ? desired + maxSurgeOf(d) : 0;
  const toAdd = allowed - sum(active, specReplicas);
  const newer = (a: KubeObject, b: KubeObject) => byCreation(b, a);
  // Larger first; on a tie the newer gains first and the older loses first.
  active.sort((a, b) =>
    specReplicas(b) - specReplicas(a) || (toAdd > 0 ? newer(a, b) : byCreation(a, b))
  );
  let added = 0;
  for (const rs of active) {
    const share = proportion(d, rs, toAdd, added);
    sizes.set(rs, specReplicas(rs) + share);
    added += share;
  }
  const largest = active[0];
  sizes.set(largest, Math.max(0, sizes.get(largest)! + toAdd - added));
  return sizes;
}
