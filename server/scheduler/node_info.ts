/**
 * One node as the scheduler sees it: the node's own scheduling fields (labels, taints,
 * unschedulable, allocatable) and the running totals of the pods bound or assumed onto it
 * (requests, pod count, host ports, pods per owner). Totals change by one pod at a time, so no
 * decision ever walks a node's pods.
 *
 * @module
 */
import type { KubeObject } from "../../kube/types.ts";
import type { Taint } from "../../kube/taints.ts";
import { nodeSpec } from "./api_types.ts";
import type { HostPort } from "./host_ports.ts";
import { HostPortsInUse } from "./host_ports.ts";
import {
  emptyResources,
  type NodeAllocatable,
  nodeAllocatable,
  type PodRequests,
  type Resources,
} from "./resources.ts";

/** The label naming a node's zone; replicas also spread across zones when nodes carry it. */
export const ZONE_LABEL = "topology.kubernetes.io/zone";

/** What one pod adds to its node's totals; kept so that removing it subtracts exactly that. */
export interface PodFootprint {
  uid: string;
  nodeName: string;
  requests: PodRequests;
  ports: HostPort[];
  /** Controller owner uid, for spreading; unset for pods being deleted (upstream skips them). */
  owner?: string;
}

/** A node and the totals of its pods. */
export class NodeInfo {
  readonly name: string;
  /** Unset while only pods name this node (bound before the node was seen). */
  node?: KubeObject;
  labels: Record<string, string> = {};
  taints: Taint[] = [];
  unschedulable = false;
  allocatable: NodeAllocatable = { ...emptyResources(), pods: 0 };
  readonly requested: Resources = emptyResources();
  nonZeroMilliCpu = 0;
  nonZeroMemory = 0;
  podCount = 0;
  readonly ports = new HostPortsInUse();
  /** Controller owner uid -> pods of that owner on this node. */
  readonly owners = new Map<string, number>();

  constructor(name: string) {
    this.name = name;
  }

  /** The node's zone label, if it has one (kept as a field: scoring reads it per node). */
  zone?: string;

  /**
   * Takes the node's current scheduling fields.
   * @returns true when something a scheduling decision reads changed.
   */
  setNode(node: KubeObject): boolean {
    const spec = nodeSpec(node);
    const labels = node.metadata.labels ?? {};
    const taints = spec.taints ?? [];
    const unschedulable = spec.unschedulable === true;
    const allocatable = nodeAllocatable(node);
    const changed = this.node === undefined ||
      unschedulable !== this.unschedulable ||
      !sameRecord(labels, this.labels) ||
      JSON.stringify(taints) !== JSON.stringify(this.taints) ||
      !sameAllocatable(allocatable, this.allocatable);
    this.node = node;
    this.labels = labels;
    this.zone = Object.hasOwn(labels, ZONE_LABEL) ? labels[ZONE_LABEL] : undefined;
    this.taints = taints;
    this.unschedulable = unschedulable;
    this.allocatable = allocatable;
    return changed;
  }

  /** Adds a pod's footprint to the totals. */
  addPod(footprint: PodFootprint): void {
    this.#apply(footprint, 1);
    this.ports.add(footprint.ports);
  }

  /** Subtracts a pod's footprint from the totals. */
  removePod(footprint: PodFootprint): void {
    this.#apply(footprint, -1);
    this.ports.remove(footprint.ports);
  }

  #apply(footprint: PodFootprint, sign: 1 | -1): void {
    const { requests } = footprint;
    this.requested.milliCpu += sign * requests.milliCpu;
    this.requested.memory += sign * requests.memory;
    this.requested.ephemeralStorage += sign * requests.ephemeralStorage;
    for (const [name, value] of requests.scalars) {
      const next = (this.requested.scalars.get(name) ?? 0) + sign * value;
      if (next === 0) this.requested.scalars.delete(name);
      else this.requested.scalars.set(name, next);
    }
    this.nonZeroMilliCpu += sign * requests.nonZeroMilliCpu;
    this.nonZeroMemory += sign * requests.nonZeroMemory;
    this.podCount += sign;
    if (footprint.owner !== undefined) {
      const next = (this.owners.get(footprint.owner) ?? 0) + sign;
      if (next === 0) this.owners.delete(footprint.owner);
      else this.owners.set(footprint.owner, next);
    }
  }
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => a[k] === b[k]);
}

function sameAllocatable(a: NodeAllocatable, b: NodeAllocatable): boolean {
  if (
    a.milliCpu !== b.milliCpu || a.memory !== b.memory || a.pods !== b.pods ||
    a.ephemeralStorage !== b.ephemeralStorage || a.scalars.size !== b.scalars.size
  ) return false;
  for (const [name, value] of a.scalars) if (b.scalars.get(name) !== value) return false;
  return true;
}
