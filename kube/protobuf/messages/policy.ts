/**
 * Protobuf descriptors for policy/v1 PodDisruptionBudget and scheduling.k8s.io/v1 PriorityClass.
 *
 * Field numbers are those of the k8s.io/api and apimachinery `generated.proto` files as built into
 * kubectl 1.32; JSON names and flags follow the Go types' `json` tags (see `schema.ts`).
 *
 * @module
 */
import type { MessageTable } from "../schema.ts";

/** Policy/v1 PodDisruptionBudget and scheduling.k8s.io/v1 PriorityClass. */
export const POLICY: MessageTable = {
  "scheduling.PriorityClass": {
    1: ["metadata", "meta.ObjectMeta"],
    2: ["value", "int32", "keep"],
    3: ["globalDefault", "bool"],
    4: ["description", "string"],
    5: ["preemptionPolicy", "string", "ptr"],
  },
  "policy.PodDisruptionBudget": {
    1: ["metadata", "meta.ObjectMeta"],
    2: ["spec", "policy.PodDisruptionBudgetSpec"],
    3: ["status", "policy.PodDisruptionBudgetStatus"],
  },
  "policy.PodDisruptionBudgetSpec": {
    1: ["minAvailable", "intstr", "ptr"],
    2: ["selector", "meta.LabelSelector", "ptr"],
    3: ["maxUnavailable", "intstr", "ptr"],
    4: ["unhealthyPodEvictionPolicy", "string", "ptr"],
  },
  "policy.PodDisruptionBudgetStatus": {
    1: ["observedGeneration", "int64"],
    2: ["disruptedPods", "map<time>"],
    3: ["disruptionsAllowed", "int32", "keep"],
    4: ["currentHealthy", "int32", "keep"],
    5: ["desiredHealthy", "int32", "keep"],
    6: ["expectedPods", "int32", "keep"],
    7: ["conditions", "meta.Condition", "rep"],
  },
};
