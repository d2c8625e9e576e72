/**
 * The API objects a simulated kubelet writes about itself: its Node (labels, capacity,
 * addresses, node info, healthy conditions) and its Lease in `kube-node-lease`.
 *
 * @module
 */
import type { KubeObject } from "../../kube/types.ts";
import { KUBERNETES_VERSION } from "../../version.ts";
import { microTime, timestamp } from "../apiserver/object_meta.ts";
import { NODE_LEASE_NAMESPACE } from "../auth/rbac/node_authorizer.ts";

/** Where node heartbeats live (the namespace the Node authoriser lets a node write). */
export { NODE_LEASE_NAMESPACE };

/** The label every simulated node carries (`kubectl get nodes -l node.k3ts.io/simulated`). */
export const SIMULATED_LABEL = "node.k3ts.io/simulated";

/** The kubelet version simulated nodes report. */
export const SIMULATED_KUBELET_VERSION = `${KUBERNETES_VERSION}+k3ts`;

/** Upstream kubelet's lease duration. */
export const NODE_LEASE_DURATION_SECONDS = 40;

/** What a simulated node looks like. */
export interface NodeShape {
  name: string;
  internalIp: string;
  cpu: string;
  memory: string;
  maxPods: number;
}

interface NodeCondition {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastHeartbeatTime: string;
  lastTransitionTime: string;
}

/** The conditions a healthy kubelet reports, in its order. */
const HEALTHY: readonly Omit<NodeCondition, "lastHeartbeatTime" | "lastTransitionTime">[] = [
  {
    type: "MemoryPressure",
    status: "False",
    reason: "KubeletHasSufficientMemory",
    message: "kubelet has sufficient memory available",
  },
  {
    type: "DiskPressure",
    status: "False",
    reason: "KubeletHasNoDiskPressure",
    message: "kubelet has no disk pressure",
  },
  {
    type: "PIDPressure",
    status: "False",
    reason: "KubeletHasSufficientPID",
    message: "kubelet has sufficient PID available",
  },
  {
    type: "Ready",
    status: "True",
    reason: "KubeletReady",
    message: "kubelet is posting ready status",
  },
];

/**
 * A healthy node's conditions; a condition whose status is unchanged keeps its transition time.
 *
 * @param previous The conditions the API has now (to keep transition times).
 * @param now Milliseconds since the epoch.
 */
export function healthyConditions(previous: unknown, now: number): NodeCondition[] {
  const before = Array.isArray(previous) ? previous as Partial<NodeCondition>[] : [];
  return HEALTHY.map((condition) => {
    const old = before.find((c) => c.type === condition.type);
    return {
      ...condition,
      lastHeartbeatTime: timestamp(now),
      lastTransitionTime: old?.status === condition.status && old.lastTransitionTime
        ? old.lastTransitionTime
        : timestamp(now),
    };
  });
}

/** True when the API's copy says the node is healthy (nothing to correct). */
export function reportsHealthy(node: KubeObject | undefined): boolean {
  const conditions = Array.isArray(node?.status?.conditions) ? node.status.conditions : [];
  return HEALTHY.every((wanted) =>
    conditions.some((c: Partial<NodeCondition>) =>
      c.type === wanted.type && c.status === wanted.status
    )
  );
}

/** The status a simulated node registers with and re-posts. */
export function nodeStatus(shape: NodeShape, previousConditions: unknown, now: number) {
  const resources = { cpu: shape.cpu, memory: shape.memory, pods: String(shape.maxPods) };
  return {
    capacity: resources,
    allocatable: resources,
    conditions: healthyConditions(previousConditions, now),
    addresses: [
      { type: "InternalIP", address: shape.internalIp },
      { type: "Hostname", address: shape.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: "",
      systemUUID: "",
      bootID: "",
      kernelVersion: "simulated",
      osImage: "k3ts simulated node",
      containerRuntimeVersion: "simulated://1.0",
      kubeletVersion: SIMULATED_KUBELET_VERSION,
      kubeProxyVersion: SIMULATED_KUBELET_VERSION,
      operatingSystem: "linux",
      architecture: Deno.build.arch === "aarch64" ? "arm64" : "amd64",
    },
  };
}

/**
 * The Node a simulated kubelet registers.
 *
 * @example
 * ```ts
 * const node = nodeObject(
 *   { name: "sim-node-0", internalIp: "198.18.0.1", cpu: "4", memory: "16Gi", maxPods: 110 },
 *   Date.now(),
 * );
 * ```
 */
export function nodeObject(shape: NodeShape, now: number): KubeObject {
  const arch = Deno.build.arch === "aarch64" ? "arm64" : "amd64";
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: shape.name,
      labels: {
        "beta.kubernetes.io/arch": arch,
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": arch,
        "kubernetes.io/hostname": shape.name,
        "kubernetes.io/os": "linux",
        [SIMULATED_LABEL]: "true",
      },
      annotations: { "node.alpha.kubernetes.io/ttl": "0" },
    },
    spec: {},
    status: nodeStatus(shape, undefined, now),
  };
}

/** The node's Lease, owned by its Node so it goes when the Node does. */
export function leaseObject(
  nodeName: string,
  nodeUid: string | undefined,
  now: number,
): KubeObject {
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: {
      name: nodeName,
      namespace: NODE_LEASE_NAMESPACE,
      ...(nodeUid
        ? {
          ownerReferences: [{ apiVersion: "v1", kind: "Node", name: nodeName, uid: nodeUid }],
        }
        : {}),
    },
    spec: {
      holderIdentity: nodeName,
      leaseDurationSeconds: NODE_LEASE_DURATION_SECONDS,
      renewTime: microTime(now),
    },
  };
}

/** The fake InternalIP of node number `index`: from 198.18.0.0/15, the benchmarking range. */
export function simulatedNodeIp(index: number): string {
  const n = 0xc6120000 + 1 + index; // 198.18.0.0 + 1 + index
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}
