/**
 * Resource arithmetic in upstream's units: cpu in millicores, everything else in integer units
 * (bytes, pods, devices). What a pod requests (containers summed, init containers as a peak,
 * sidecars running alongside, overhead on top) and what a node offers (`status.allocatable`,
 * falling back to `status.capacity`).
 *
 * @module
 */
import { integerValue, milliValue } from "../../kube/quantity.ts";
import type { KubeObject } from "../../kube/types.ts";
import { type ContainerView, podSpec, type ResourceList } from "./api_types.ts";

/** A bundle of resource amounts. `scalars` holds extended resources and hugepages. */
export interface Resources {
  milliCpu: number;
  memory: number;
  ephemeralStorage: number;
  scalars: Map<string, number>;
}

/** What a pod asks for, computed once per pod version. */
export interface PodRequests extends Resources {
  /**
   * Requests as scoring sees them: a container that states no cpu (memory) request counts as
   * 100m (200Mi), so best-effort pods still spread, as upstream's non-zero requests.
   */
  nonZeroMilliCpu: number;
  nonZeroMemory: number;
}

/** Upstream's stand-in cpu request for scoring a container that states none. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
/** Upstream's stand-in memory request for scoring a container that states none. */
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** An empty bundle. */
export function emptyResources(): Resources {
  return { milliCpu: 0, memory: 0, ephemeralStorage: 0, scalars: new Map() };
}

/**
 * Names upstream checks beyond cpu, memory and ephemeral storage: extended resources
 * (`example.com/gpu`), `kubernetes.io/`-prefixed ones and hugepages.
 */
function isScalarResource(name: string): boolean {
  return name.includes("/") || name.startsWith("hugepages-");
}

/** Adds one resource list into a bundle (or takes the maximum, for init-container peaks). */
function accumulate(into: Resources, list: ResourceList, mode: "add" | "max"): void {
  const merge = (a: number, b: number) => mode === "add" ? a + b : Math.max(a, b);
  for (const [name, quantity] of Object.entries(list)) {
    if (name === "cpu") into.milliCpu = merge(into.milliCpu, milliValue(quantity) ?? 0);
    else if (name === "memory") into.memory = merge(into.memory, integerValue(quantity) ?? 0);
    else if (name === "ephemeral-storage") {
      into.ephemeralStorage = merge(into.ephemeralStorage, integerValue(quantity) ?? 0);
    } else if (isScalarResource(name)) {
      into.scalars.set(name, merge(into.scalars.get(name) ?? 0, integerValue(quantity) ?? 0));
    }
  }
}

/**
 * A container's effective requests: where only a limit is stated the request defaults to it,
 * as the API's defaulting does. `nonZero` also fills in the scoring stand-ins for cpu and memory.
 */
function containerRequests(container: ContainerView, nonZero: boolean): ResourceList {
  const requests: ResourceList = {
    ...container.resources?.limits,
    ...container.resources?.requests,
  };
  if (nonZero) {
    requests.cpu ??= `${DEFAULT_MILLI_CPU_REQUEST}m`;
    requests.memory ??= DEFAULT_MEMORY_REQUEST;
  }
  return requests;
}

/**
 * Containers run together, init containers one at a time before them; restartable init
 * containers (sidecars) keep running alongside everything started after them.
 */
function sumPod(pod: KubeObject, nonZero: boolean): Resources {
  const spec = podSpec(pod);
  const total = emptyResources();
  for (const container of spec.containers ?? []) {
    accumulate(total, containerRequests(container, nonZero), "add");
  }
  const sidecars = emptyResources();
  const initPeak = emptyResources();
  for (const container of spec.initContainers ?? []) {
    const requests = containerRequests(container, nonZero);
    const running = emptyResources();
    if (container.restartPolicy === "Always") {
      accumulate(total, requests, "add");
      accumulate(sidecars, requests, "add");
      copyInto(running, sidecars);
    } else {
      accumulate(running, requests, "add");
      copyInto(running, sidecars);
    }
    maxInto(initPeak, running);
  }
  maxInto(total, initPeak);
  if (spec.overhead) accumulate(total, spec.overhead, "add");
  return total;
}

function copyInto(into: Resources, from: Resources): void {
  into.milliCpu += from.milliCpu;
  into.memory += from.memory;
  into.ephemeralStorage += from.ephemeralStorage;
  for (const [name, value] of from.scalars) {
    into.scalars.set(name, (into.scalars.get(name) ?? 0) + value);
  }
}

function maxInto(into: Resources, from: Resources): void {
  into.milliCpu = Math.max(into.milliCpu, from.milliCpu);
  into.memory = Math.max(into.memory, from.memory);
  into.ephemeralStorage = Math.max(into.ephemeralStorage, from.ephemeralStorage);
  for (const [name, value] of from.scalars) {
    into.scalars.set(name, Math.max(into.scalars.get(name) ?? 0, value));
  }
}

/** What a pod requests, as the resource-fit filter and the scores see it. */
export function podRequests(pod: KubeObject): PodRequests {
  const requests = sumPod(pod, false);
  const nonZero = sumPod(pod, true);
  return { ...requests, nonZeroMilliCpu: nonZero.milliCpu, nonZeroMemory: nonZero.memory };
}

/** What a node offers pods: allocatable resources and the number of pods it accepts. */
export interface NodeAllocatable extends Resources {
  pods: number;
}

/** The node's allocatable resources; each one missing there is taken from its capacity. */
export function nodeAllocatable(node: KubeObject): NodeAllocatable {
  const list: ResourceList = { ...node.status?.capacity, ...node.status?.allocatable };
  const resources = emptyResources();
  accumulate(resources, list, "add");
  return { ...resources, pods: integerValue(list.pods) ?? 0 };
}
