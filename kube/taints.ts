/**
 * Taints and tolerations, as the scheduler, the node lifecycle controller and a kubelet read
 * them: upstream's matching rule (a toleration matches a taint when its effect is empty or equal,
 * its key is empty or equal, and -- operator `Exists` -- any value, or -- operator `Equal`, the
 * default -- the same value), what keeps a pod off a node, how long a pod may stay on a node with
 * NoExecute taints, and the well-known `node.kubernetes.io/*` taint keys.
 *
 * @module
 */

/** What a taint does to pods that do not tolerate it. */
export type TaintEffect = "NoSchedule" | "PreferNoSchedule" | "NoExecute";

/** core/v1 Taint. */
export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect;
  /** RFC 3339; set on the taints the node lifecycle controller adds. */
  timeAdded?: string;
}

/** core/v1 Toleration. */
export interface Toleration {
  key?: string;
  operator?: "Exists" | "Equal";
  value?: string;
  effect?: TaintEffect;
  /** How long a NoExecute taint is tolerated; unbounded when absent. */
  tolerationSeconds?: number;
}

/** Upstream's well-known node taint keys (`k8s.io/api/core/v1/well_known_taints.go`). */
export const NODE_TAINTS = {
  notReady: "node.kubernetes.io/not-ready",
  unreachable: "node.kubernetes.io/unreachable",
  unschedulable: "node.kubernetes.io/unschedulable",
  memoryPressure: "node.kubernetes.io/memory-pressure",
  diskPressure: "node.kubernetes.io/disk-pressure",
  pidPressure: "node.kubernetes.io/pid-pressure",
  networkUnavailable: "node.kubernetes.io/network-unavailable",
} as const;

/** The taint a cordoned node behaves as if it had; tolerating it lifts the cordon for a pod. */
export const UNSCHEDULABLE_TAINT: Taint = { key: NODE_TAINTS.unschedulable, effect: "NoSchedule" };

/**
 * Upstream's `Toleration.ToleratesTaint`: effect and key match when set (an empty key with
 * `Exists` matches every key), `Exists` ignores the value, `Equal` compares it.
 *
 * @example
 * ```ts
 * toleratesTaint({ operator: "Exists" }, { key: "k", effect: "NoSchedule" }); // true
 * ```
 */
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

/**
 * How long a pod may stay on a node with these NoExecute taints, as upstream's taint manager
 * decides: 0 when one is not tolerated (or a matching toleration allows <= 0 s), undefined when
 * every matching toleration is unbounded, else the shortest `tolerationSeconds` (in seconds)
 * among the first toleration matching each taint.
 */
export function tolerationSecondsFor(
  tolerations: readonly Toleration[],
  noExecuteTaints: readonly Taint[],
): number | undefined {
  let shortest: number | undefined;
  for (const taint of noExecuteTaints) {
    const used = tolerations.find((t) => toleratesTaint(t, taint));
    if (!used) return 0;
    if (typeof used.tolerationSeconds !== "number") continue;
    if (used.tolerationSeconds <= 0) return 0;
    shortest = shortest === undefined
      ? used.tolerationSeconds
      : Math.min(shortest, used.tolerationSeconds);
  }
  return shortest;
}
