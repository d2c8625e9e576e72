/**
 * Test support: small Pod and Node objects for the scheduler's tests.
 *
 * @module
 */
import type { KubeObject } from "../../kube/types.ts";
import type { Taint } from "../../kube/taints.ts";
import type { PodSpecView, ResourceList } from "./api_types.ts";

let uids = 0;

/** What a test pod may set. */
export interface TestPodOptions extends PodSpecView {
  namespace?: string;
  requests?: ResourceList;
  labels?: Record<string, string>;
  /** Controller owner uid (a ReplicaSet's). */
  owner?: string;
  hostPorts?: { hostPort: number; protocol?: string; hostIP?: string }[];
}

/** A pod with one container; `requests` and `hostPorts` go on that container. */
export function testPod(name: string, options: TestPodOptions = {}): KubeObject {
  const { namespace = "default", requests, labels, owner, hostPorts, ...spec } = options;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace,
      uid: `pod-uid-${name}-${++uids}`,
      ...(labels ? { labels } : {}),
      ...(owner
        ? {
          ownerReferences: [{
            apiVersion: "apps/v1",
            kind: "ReplicaSet",
            name: "owner",
            uid: owner,
            controller: true,
          }],
        }
        : {}),
    },
    spec: {
      containers: [{
        name: "app",
        image: "registry.k8s.io/pause:3.10",
        ...(requests ? { resources: { requests } } : {}),
        ...(hostPorts
          ? { ports: hostPorts.map((p) => ({ containerPort: p.hostPort, ...p })) }
          : {}),
      }],
      ...spec,
    },
  };
}

/** What a test node may set. */
export interface TestNodeOptions {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  /** Put the resources in `capacity` only (no `allocatable`). */
  capacityOnly?: boolean;
}

/** A Ready node with 4 cpu, 16Gi and 110 pods unless told otherwise. */
export function testNode(name: string, options: TestNodeOptions = {}): KubeObject {
  const resources = {
    cpu: options.cpu ?? "4",
    memory: options.memory ?? "16Gi",
    pods: options.pods ?? "110",
  };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { "kubernetes.io/hostname": name, ...options.labels } },
    spec: {
      ...(options.taints ? { taints: options.taints } : {}),
      ...(options.unschedulable ? { unschedulable: true } : {}),
    },
    status: {
      capacity: resources,
      ...(options.capacityOnly ? {} : { allocatable: resources }),
      conditions: [{ type: "Ready", status: "True", reason: "KubeletReady" }],
    },
  };
}
