/**
 * The scores: which of the feasible nodes suits the pod best? Each is one of upstream's score
 * plugins on its 0-100 scale, normalised over the feasible nodes as upstream normalises it, and
 * weighted as upstream's default profile weights it:
 * - TaintToleration ×3: fewer untolerated PreferNoSchedule taints;
 * - NodeAffinity ×2: preferred node affinity terms met;
 * - NodeResourcesFit (LeastAllocated) ×1: most free cpu and memory after placing the pod,
 *   counting requests a container leaves unstated as 100m / 200Mi;
 * - PodTopologySpread (system defaults) ×2: fewest pods of the same controller on the node
 *   (max skew 3) and in its zone (max skew 5);
 * - NodeResourcesBalancedAllocation ×1: cpu and memory used in equal proportion.
 *
 * @module
 */
import { untoleratedPreferNoSchedule } from "../../kube/taints.ts";
import { controllerRefOf } from "../controllers/controller_ref.ts";
import type { PodFilterInput } from "./filters.ts";
import { preferredAffinityWeight } from "./node_affinity.ts";
import type { NodeInfo } from "./node_info.ts";
import type { PodRequests } from "./resources.ts";

/** Upstream's top score of one plugin. */
export const MAX_NODE_SCORE = 100;

/** Plugin weights of upstream's default profile. */
export const SCORE_WEIGHTS = {
  taintToleration: 3,
  nodeAffinity: 2,
  leastAllocated: 1,
  podTopologySpread: 2,
  balancedAllocation: 1,
} as const;

/** System-default spreading: by host (max skew 3) and by zone (max skew 5). */
const HOST_MAX_SKEW = 3;
const ZONE_MAX_SKEW = 5;

/** What scoring needs beyond the nodes: pods of an owner per zone. */
export interface ZoneCounts {
  zoneOwnerCount(zone: string, owner: string): number;
}

/** One resource's LeastAllocated score: the free share left after placing the pod. */
function leastRequested(requested: number, capacity: number): number {
  if (requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/** LeastAllocated over cpu and memory (equal weights), on scoring (non-zero) requests. */
export function leastAllocatedScore(requests: PodRequests, node: NodeInfo): number {
  let total = 0;
  let counted = 0;
  const cpu = node.allocatable.milliCpu;
  if (cpu > 0) {
    total += leastRequested(node.nonZeroMilliCpu + requests.nonZeroMilliCpu, cpu);
    counted++;
  }
  const memory = node.allocatable.memory;
  if (memory > 0) {
    total += leastRequested(node.nonZeroMemory + requests.nonZeroMemory, memory);
    counted++;
  }
  return counted === 0 ? 0 : Math.trunc(total / counted);
}

/**
 * BalancedAllocation: 100 × (1 - standard deviation of the cpu and memory fractions requested
 * after placing the pod). Pods requesting neither skip it (upstream's later fix for best-effort
 * pods piling onto one node): every node then scores the same.
 */
export function balancedAllocationScore(requests: PodRequests, node: NodeInfo): number {
  if (requests.milliCpu === 0 && requests.memory === 0) return 0;
  const cpu = node.allocatable.milliCpu;
  const memory = node.allocatable.memory;
  // With one resource (or none) known the deviation is 0, as upstream's.
  if (cpu <= 0 || memory <= 0) return MAX_NODE_SCORE;
  const cpuFraction = Math.min(1, (node.requested.milliCpu + requests.milliCpu) / cpu);
  const memoryFraction = Math.min(1, (node.requested.memory + requests.memory) / memory);
  const deviation = Math.abs(cpuFraction - memoryFraction) / 2;
  return Math.trunc((1 - deviation) * MAX_NODE_SCORE);
}

/** Spreading's raw score: same-owner pods weighted by how many domains there are (lower wins). */
function spreadRaw(
  owner: string,
  node: NodeInfo,
  zones: ZoneCounts,
  hostWeight: number,
  zoneWeight: number,
): number {
  // Every node is its own host: no hostname label needed.
  let raw = (node.owners.get(owner) ?? 0) * hostWeight + (HOST_MAX_SKEW - 1);
  const zone = node.zone;
  if (zone !== undefined) {
    raw += zones.zoneOwnerCount(zone, owner) * zoneWeight + (ZONE_MAX_SKEW - 1);
  }
  return Math.round(raw);
}

/** Upstream's DefaultNormalizeScore: scale to 0-100 by the maximum, optionally reversed. */
function normalize(scores: number[], reverse: boolean): void {
  let max = 0;
  for (const score of scores) if (score > max) max = score;
  for (let i = 0; i < scores.length; i++) {
    if (max === 0) scores[i] = reverse ? MAX_NODE_SCORE : 0;
    else {
      const scaled = Math.trunc((MAX_NODE_SCORE * scores[i]) / max);
      scores[i] = reverse ? MAX_NODE_SCORE - scaled : scaled;
    }
  }
}

/** PodTopologySpread's normalisation: fewest same-owner pods -> 100. */
function normalizeSpread(scores: number[]): void {
  let min = Infinity;
  let max = 0;
  for (const score of scores) {
    if (score < min) min = score;
    if (score > max) max = score;
  }
  for (let i = 0; i < scores.length; i++) {
    scores[i] = max === 0
      ? MAX_NODE_SCORE
      : Math.trunc((MAX_NODE_SCORE * (max + min - scores[i])) / max);
  }
}

/** Scores every feasible node; the result is index-aligned with `nodes`. */
export function scoreNodes(
  input: PodFilterInput,
  nodes: readonly NodeInfo[],
  zones: ZoneCounts,
): number[] {
  const { pod, requests } = input;
  const count = nodes.length;
  const totals = new Array<number>(count);
  // One pass for the resource scores; it also learns whether the other plugins have work.
  let tainted = false;
  const zoneNames = new Set<string>();
  for (let i = 0; i < count; i++) {
    const node = nodes[i];
    totals[i] = SCORE_WEIGHTS.leastAllocated * leastAllocatedScore(requests, node) +
      SCORE_WEIGHTS.balancedAllocation * balancedAllocationScore(requests, node);
    if (node.taints.length > 0) tainted = true;
    const zone = node.zone;
    if (zone !== undefined) zoneNames.add(zone);
  }
  const add = (scores: number[], weight: number) => {
    for (let i = 0; i < count; i++) totals[i] += weight * scores[i];
  };

  // Without taints every node scores the same 100; skipping a constant changes no ranking.
  if (tainted) {
    const taints = nodes.map((node) => untoleratedPreferNoSchedule(node.taints, input.tolerations));
    normalize(taints, true);
    add(taints, SCORE_WEIGHTS.taintToleration);
  }

  if (input.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution) {
    const affinity = nodes.map((node) => preferredAffinityWeight(pod, node.name, node.labels));
    normalize(affinity, false);
    add(affinity, SCORE_WEIGHTS.nodeAffinity);
  }

  const owner = controllerRefOf(pod)?.uid;
  if (owner !== undefined) {
    const hostWeight = Math.log(count + 2);
    const zoneWeight = Math.log(zoneNames.size + 2);
    const spread = new Array<number>(count);
    for (let i = 0; i < count; i++) {
      spread[i] = spreadRaw(owner, nodes[i], zones, hostWeight, zoneWeight);
    }
    normalizeSpread(spread);
    add(spread, SCORE_WEIGHTS.podTopologySpread);
  }
  return totals;
}

/**
 * The index of the highest score; ties are broken uniformly at random (as upstream's selectHost
 * does by reservoir sampling), so equal nodes share the load. One random draw per call: a fresh
 * cluster can have hundreds of equal nodes.
 */
export function pickHighest(scores: readonly number[], random: () => number = Math.random): number {
  let best = -Infinity;
  let ties = 0;
  for (let i = 0; i < scores.length; i++) {
    if (scores[i] > best) {
      best = scores[i];
      ties = 1;
    } else if (scores[i] === best) ties++;
  }
  let pick = Math.floor(random() * ties);
  for (let i = 0; i < scores.length; i++) {
    if (scores[i] === best && pick-- === 0) return i;
  }
  return 0;
}
