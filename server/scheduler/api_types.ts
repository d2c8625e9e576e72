/**
 * The parts of Pod and Node the scheduler reads, typed. `KubeObject` keeps spec and status
 * free-form (the schema registry validates them); the scheduler reads through these views so its
 * own code stays typed.
 *
 * @module
 */
import type { Taint, Toleration } from "../../kube/taints.ts";
import type { KubeObject } from "../../kube/types.ts";
import { isPodActive } from "../controllers/pod_state.ts";

/** core/v1 NodeSelectorRequirement (matchExpressions and matchFields). */
export interface NodeSelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt";
  values?: string[];
}

/** core/v1 NodeSelectorTerm: requirements ANDed. */
export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

/** core/v1 NodeAffinity. */
export interface NodeAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] };
  preferredDuringSchedulingIgnoredDuringExecution?: {
    weight: number;
    preference: NodeSelectorTerm;
  }[];
}

/** A resource list (`requests`, `limits`, `allocatable`): names to quantities. */
export type ResourceList = Record<string, string | number>;

/** core/v1 ContainerPort. */
export interface ContainerPort {
  containerPort: number;
  hostPort?: number;
  hostIP?: string;
  protocol?: string;
}

/** The container fields the scheduler reads. */
export interface ContainerView {
  name?: string;
  restartPolicy?: string;
  resources?: { requests?: ResourceList; limits?: ResourceList };
  ports?: ContainerPort[];
}

/** The PodSpec fields the scheduler reads. */
export interface PodSpecView {
  nodeName?: string;
  schedulerName?: string;
  nodeSelector?: Record<string, string>;
  affinity?: { nodeAffinity?: NodeAffinity };
  tolerations?: Toleration[];
  containers?: ContainerView[];
  initContainers?: ContainerView[];
  overhead?: ResourceList;
  priority?: number;
  preemptionPolicy?: string;
  schedulingGates?: { name: string }[];
}

/** The NodeSpec fields the scheduler reads. */
export interface NodeSpecView {
  unschedulable?: boolean;
  taints?: Taint[];
}

/** The scheduler's own name: pods ask for it in `spec.schedulerName`. */
export const DEFAULT_SCHEDULER_NAME = "default-scheduler";

/** A pod's spec, typed (empty when absent). */
export function podSpec(pod: KubeObject): PodSpecView {
  return pod.spec ?? {};
}

/** A node's spec, typed (empty when absent). */
export function nodeSpec(node: KubeObject): NodeSpecView {
  return node.spec ?? {};
}

/**
 * True for a pod this scheduler should place: unbound, asking for `default-scheduler` (or no
 * scheduler), not being deleted, not finished.
 */
export function isPendingForUs(pod: KubeObject): boolean {
  const spec = podSpec(pod);
  if (spec.nodeName) return false;
  if ((spec.schedulerName ?? DEFAULT_SCHEDULER_NAME) !== DEFAULT_SCHEDULER_NAME) return false;
  return isPodActive(pod);
}
