/**
 * The filters: can this pod run on this node? Each is one of upstream's filter plugins, run in
 * upstream's order (NodeUnschedulable, NodeName, TaintToleration, NodeAffinity, NodePorts,
 * NodeResourcesFit); the first that rejects a node gives its reasons, worded as upstream's, which
 * the "0/N nodes are available" message counts.
 *
 * A node that is not Ready is rejected by TaintToleration through the `node.kubernetes.io/
 * not-ready` taint the node lifecycle controller puts on it, as upstream does, not by reading the
 * condition.
 *
 * @module
 */
import {
  firstUntoleratedTaint,
  tolerated,
  type Toleration,
  UNSCHEDULABLE_TAINT,
} from "../../kube/taints.ts";
import type { KubeObject } from "../../kube/types.ts";
import { podSpec, type PodSpecView } from "./api_types.ts";
import { type HostPort, podHostPorts } from "./host_ports.ts";
import { nodeMatchesPod } from "./node_affinity.ts";
import type { NodeInfo } from "./node_info.ts";
import { type PodRequests, podRequests } from "./resources.ts";

/**
 * `Unschedulable`: the node might fit after other pods leave (preemption could help).
 * `UnschedulableAndUnresolvable`: removing pods would not change the answer.
 */
export type FilterCode = "Unschedulable" | "UnschedulableAndUnresolvable";

/** Why a node was rejected. */
export interface FilterFailure {
  plugin: string;
  code: FilterCode;
  reasons: string[];
}

/** Upstream's reason strings. */
export const REASONS = {
  unschedulable: "node(s) were unschedulable",
  nodeName: "node(s) didn't match the requested node name",
  nodeAffinity: "node(s) didn't match Pod's node affinity/selector",
  nodePorts: "node(s) didn't have free ports for the requested pod ports",
  tooManyPods: "Too many pods",
  untoleratedTaint: (key: string, value = "") => `node(s) had untolerated taint {${key}: ${value}}`,
  insufficient: (resource: string) => `Insufficient ${resource}`,
} as const;

/** What the filters read from a pod, computed once per scheduling attempt (upstream's PreFilter). */
export interface PodFilterInput {
  pod: KubeObject;
  spec: PodSpecView;
  requests: PodRequests;
  ports: HostPort[];
  tolerations: Toleration[];
  toleratesUnschedulable: boolean;
  /** False when the pod has neither nodeSelector nor required affinity: skip that filter. */
  selectsNodes: boolean;
}

/** Prepares a pod for filtering. */
export function filterInput(pod: KubeObject, requests = podRequests(pod)): PodFilterInput {
  const spec = podSpec(pod);
  const tolerations = spec.tolerations ?? [];
  return {
    pod,
    spec,
    requests,
    ports: podHostPorts(pod),
    tolerations,
    toleratesUnschedulable: tolerated(tolerations, UNSCHEDULABLE_TAINT),
    selectsNodes: Object.keys(spec.nodeSelector ?? {}).length > 0 ||
      spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution !== undefined,
  };
}

function reject(plugin: string, code: FilterCode, ...reasons: string[]): FilterFailure {
  return { plugin, code, reasons };
}

/** NodeUnschedulable: a cordoned node takes only pods that tolerate the unschedulable taint. */
export function filterUnschedulable(
  input: PodFilterInput,
  node: NodeInfo,
): FilterFailure | undefined {
  if (!node.unschedulable || input.toleratesUnschedulable) return undefined;
  return reject("NodeUnschedulable", "UnschedulableAndUnresolvable", REASONS.unschedulable);
}

/** NodeName: a pod naming a node fits only there. */
export function filterNodeName(input: PodFilterInput, node: NodeInfo): FilterFailure | undefined {
  if (!input.spec.nodeName || input.spec.nodeName === node.name) return undefined;
  return reject("NodeName", "UnschedulableAndUnresolvable", REASONS.nodeName);
}

/** TaintToleration: every NoSchedule and NoExecute taint must be tolerated. */
export function filterTaints(input: PodFilterInput, node: NodeInfo): FilterFailure | undefined {
  if (node.taints.length === 0) return undefined;
  const taint = firstUntoleratedTaint(node.taints, input.tolerations);
  if (!taint) return undefined;
  return reject(
    "TaintToleration",
    "UnschedulableAndUnresolvable",
    REASONS.untoleratedTaint(taint.key, taint.value),
  );
}

/** NodeAffinity: nodeSelector and required node affinity. */
export function filterNodeAffinity(
  input: PodFilterInput,
  node: NodeInfo,
): FilterFailure | undefined {
  if (!input.selectsNodes || nodeMatchesPod(input.pod, node.name, node.labels)) return undefined;
  return reject("NodeAffinity", "UnschedulableAndUnresolvable", REASONS.nodeAffinity);
}

/** NodePorts: the pod's host ports must be free on the node. */
export function filterPorts(input: PodFilterInput, node: NodeInfo): FilterFailure | undefined {
  if (input.ports.length === 0 || !node.ports.conflicts(input.ports)) return undefined;
  return reject("NodePorts", "Unschedulable", REASONS.nodePorts);
}

/**
 * NodeResourcesFit: room for one more pod, and for each resource the pod requests, allocatable
 * minus what the node's pods request must cover it. Every shortfall is a reason of its own.
 */
export function filterResources(input: PodFilterInput, node: NodeInfo): FilterFailure | undefined {
  const { requests } = input;
  const free = node.allocatable;
  const used = node.requested;
  // Checked without allocating first: this runs for hundreds of nodes per pod.
  const tooManyPods = node.podCount + 1 > free.pods;
  const noCpu = requests.milliCpu > 0 && requests.milliCpu > free.milliCpu - used.milliCpu;
  const noMemory = requests.memory > 0 && requests.memory > free.memory - used.memory;
  const noStorage = requests.ephemeralStorage > 0 &&
    requests.ephemeralStorage > free.ephemeralStorage - used.ephemeralStorage;
  let scalarShort = false;
  for (const [name, amount] of requests.scalars) {
    if (amount > 0 && amount > (free.scalars.get(name) ?? 0) - (used.scalars.get(name) ?? 0)) {
      scalarShort = true;
    }
  }
  if (!tooManyPods && !noCpu && !noMemory && !noStorage && !scalarShort) return undefined;
  const reasons: string[] = [];
  if (tooManyPods) reasons.push(REASONS.tooManyPods);
  if (noCpu) reasons.push(REASONS.insufficient("cpu"));
  if (noMemory) reasons.push(REASONS.insufficient("memory"));
  if (noStorage) reasons.push(REASONS.insufficient("ephemeral-storage"));
  for (const [name, amount] of requests.scalars) {
    if (amount > 0 && amount > (free.scalars.get(name) ?? 0) - (used.scalars.get(name) ?? 0)) {
      reasons.push(REASONS.insufficient(name));
    }
  }
  return reject("NodeResourcesFit", "Unschedulable", ...reasons);
}

/** Every filter, in upstream's order. */
export const FILTERS:
  readonly ((input: PodFilterInput, node: NodeInfo) => FilterFailure | undefined)[] = [
    filterUnschedulable,
    filterNodeName,
    filterTaints,
    filterNodeAffinity,
    filterPorts,
    filterResources,
  ];

/**
 * Runs the filters on one node, in {@link FILTERS}' order; the first rejection wins, undefined
 * means the pod fits. Filters with nothing to check (no taints, no selector, no host ports) are
 * not called: this runs for hundreds of nodes per pod.
 */
export function filterNode(input: PodFilterInput, node: NodeInfo): FilterFailure | undefined {
  return (node.unschedulable ? filterUnschedulable(input, node) : undefined) ??
    (input.spec.nodeName ? filterNodeName(input, node) : undefined) ??
    (node.taints.length > 0 ? filterTaints(input, node) : undefined) ??
    (input.selectsNodes ? filterNodeAffinity(input, node) : undefined) ??
    (input.ports.length > 0 ? filterPorts(input, node) : undefined) ??
    filterResources(input, node);
}
