/**
 * Taints and tolerations, with upstream's matching rule: a toleration matches a taint when its
 * effect is empty or equal, its key is empty or equal, and — operator `Exists` — any value, or —
 * operator `Equal` (the default) — the same value.
 *
 * @module
 */
import type { Taint, Toleration } from "./api_types.ts";

/** The taint a cordoned node behaves as if it had; tolerating it lifts the cordon for a pod. */
export const UNSCHEDULABLE_TAINT: Taint = {
  key: "node.kubernetes.io/unschedulable",
  effect: "NoSchedule",
};

/** True when `toleration` tolerates `taint`. */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? "Equal") {
    case "Exists":
      return true;
    case "Equal":
      return (toleration.value ?? "") === (taint.value ?? "");
    default:
      return false;
  }
}

/** True when one of `tolerations` tolerates `taint`. */
export function tolerated(tolerations: readonly Toleration[], taint: Taint): boolean {
  return tolerations.some((toleration) => toleratesTaint(toleration, taint));
}

/**
 * The first NoSchedule or NoExecute taint the pod does not tolerate (those keep a pod off a
 * node; PreferNoSchedule only lowers the node's score).
 */
export function firstUntoleratedTaint(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
): Taint | undefined {
  return taints.find((taint) =>
    (taint.effect === "NoSchedule" || taint.effect === "NoExecute") &&
    !tolerated(tolerations, taint)
  );
}

/** How many PreferNoSchedule taints the pod does not tolerate (fewer scores higher). */
export function untoleratedPreferNoSchedule(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
): number {
  // Only tolerations that can match PreferNoSchedule count, as upstream's score.
  const relevant = tolerations.filter((t) => !t.effect || t.effect === "PreferNoSchedule");
  let count = 0;
  for (const taint of taints) {
    if (taint.effect === "PreferNoSchedule" && !tolerated(relevant, taint)) count++;
  }
  return count;
}
