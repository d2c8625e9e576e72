/**
 * One scheduling decision, as upstream's schedulePod: filter nodes until enough feasible ones
 * are found (all nodes in a small cluster, a share of them in a large one, starting where the
 * previous pod stopped so every node gets its turn), score the feasible ones, take the best.
 * When nothing fits, the result carries upstream's "0/N nodes are available" message.
 *
 * @module
 */
import type { KubeObject } from "../../kube/types.ts";
import type { SchedulerCache } from "./cache.ts";
import { Diagnosis, fitErrorMessage, NO_NODES_MESSAGE } from "./fit_error.ts";
import { filterInput, filterNode, type PodFilterInput } from "./filters.ts";
import { pinnedNodeNames } from "./node_affinity.ts";
import type { NodeInfo } from "./node_info.ts";
import { pickHighest, scoreNodes } from "./scores.ts";

/** Below this many nodes every node is tried; never fewer are looked for. */
const MIN_FEASIBLE_NODES_TO_FIND = 100;
/** The adaptive percentage never drops below this. */
const MIN_FEASIBLE_NODES_PERCENTAGE = 5;

/**
 * How many feasible nodes to find before scoring, as upstream's numFeasibleNodesToFind:
 * everything below 100 nodes; above, `percentage` of them (adaptive when 0: 50% less 1% per
 * 125 nodes, at least 5%), and at least 100.
 */
export function numFeasibleNodesToFind(allNodes: number, percentage = 0): number {
  if (allNodes < MIN_FEASIBLE_NODES_TO_FIND) return allNodes;
  let share = percentage;
  if (share <= 0) {
    share = Math.max(50 - Math.trunc(allNodes / 125), MIN_FEASIBLE_NODES_PERCENTAGE);
  }
  if (share >= 100) return allNodes;
  return Math.max(Math.trunc((allNodes * share) / 100), MIN_FEASIBLE_NODES_TO_FIND);
}

/** State carried from one decision to the next. */
export interface ScheduleCursor {
  /** Where the next search through the nodes starts. */
  nextStartNodeIndex: number;
}

/** Options of {@link schedulePod}. */
export interface SchedulePodOptions {
  /** Share of nodes to find feasible before scoring; 0 (default) adapts to the cluster size. */
  percentageOfNodesToScore?: number;
  /** Random numbers in [0, 1) for the tie-break. */
  random?: () => number;
}

/** The node chosen, or why none was. */
export type ScheduleResult =
  | { node: NodeInfo; input: PodFilterInput }
  | { node?: undefined; message: string };

/** Reason when pinned node names exclude each other. */
const CONFLICTING_TERMS = "pod affinity terms conflict";

/** Picks a node for `pod` from the cache (no side effects beyond advancing the cursor). */
export function schedulePod(
  pod: KubeObject,
  cache: SchedulerCache,
  cursor: ScheduleCursor,
  options: SchedulePodOptions = {},
): ScheduleResult {
  const allNodes = cache.nodes;
  if (allNodes.length === 0) return { message: NO_NODES_MESSAGE };
  const input = filterInput(pod);
  const diagnosis = new Diagnosis();
  const fail = () => ({
    message: fitErrorMessage(allNodes.length, diagnosis, input.spec.preemptionPolicy),
  });

  // A pod pinned to named nodes (a DaemonSet's pods) is only tried there.
  const pinned = pinnedNodeNames(pod);
  let candidates: readonly NodeInfo[] = allNodes;
  let toFind = numFeasibleNodesToFind(allNodes.length, options.percentageOfNodesToScore);
  let start = cursor.nextStartNodeIndex % allNodes.length;
  if (pinned) {
    if (pinned.size === 0) {
      diagnosis.rejectAll(allNodes.length, CONFLICTING_TERMS);
      return fail();
    }
    candidates = [...pinned].map((name) => cache.node(name)).filter((n) => n !== undefined);
    diagnosis.recordUntried(
      allNodes.length - candidates.length,
      "node(s) didn't satisfy plugin(s) [NodeAffinity]",
    );
    toFind = candidates.length;
    start = 0;
  }

  const feasible: NodeInfo[] = [];
  let processed = 0;
  for (; processed < candidates.length && feasible.length < toFind; processed++) {
    const node = candidates[(start + processed) % candidates.length];
    const failure = filterNode(input, node);
    if (failure) diagnosis.record(failure);
    else feasible.push(node);
  }
  if (!pinned) cursor.nextStartNodeIndex = (start + processed) % allNodes.length;
  if (feasible.length === 0) return fail();
  if (feasible.length === 1) return { node: feasible[0], input };
  const scores = scoreNodes(input, feasible, cache);
  return { node: feasible[pickHighest(scores, options.random)], input };
}
