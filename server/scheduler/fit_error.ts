/**
 * Why a pod fits nowhere, in upstream's words: `0/3 nodes are available: 1 Insufficient cpu,
 * 2 node(s) had untolerated taint {key: value}. preemption: 0/3 nodes are available: 1 No
 * preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.` --
 * a histogram of the filters' reasons, sorted as strings (so "10 ..." sorts before "2 ..."), then
 * what preemption would say. This scheduler does not preempt: nodes that removing pods could
 * free are reported as upstream reports them when no lower-priority victims exist.
 *
 * @module
 */
import type { FilterFailure } from "./filters.ts";

/** The message when the cluster has no nodes at all. */
export const NO_NODES_MESSAGE = "no nodes available to schedule pods";

const NOT_HELPFUL = "Preemption is not helpful for scheduling";
const NO_VICTIMS = "No preemption victims found for incoming pod";

/** The per-node rejections of one scheduling attempt. */
export class Diagnosis {
  readonly #reasons = new Map<string, number>();
  #unresolvable = 0;
  #resolvable = 0;
  /** Set when the pod was rejected before any node was tried (all nodes share this reason). */
  preFilterMessage?: string;

  /** Records one node's rejection. */
  record(failure: FilterFailure): void {
    for (const reason of failure.reasons) {
      this.#reasons.set(reason, (this.#reasons.get(reason) ?? 0) + 1);
    }
    if (failure.code === "UnschedulableAndUnresolvable") this.#unresolvable++;
    else this.#resolvable++;
  }

  /** Records `count` nodes rejected for one unresolvable reason without being tried. */
  recordUntried(count: number, reason: string): void {
    if (count <= 0) return;
    this.#reasons.set(reason, (this.#reasons.get(reason) ?? 0) + count);
    this.#unresolvable += count;
  }

  /** Marks every node unresolvable for a reason found before filtering. */
  rejectAll(nodes: number, message: string): void {
    this.preFilterMessage = message;
    this.#unresolvable = nodes;
    this.#resolvable = 0;
  }

  /** `1 Insufficient cpu, 2 node(s) were unschedulable`, sorted as upstream sorts it. */
  histogram(): string {
    return histogram(this.#reasons);
  }

  /** What preemption would report, counted over the rejected nodes. */
  preemptionHistogram(): string {
    const counts = new Map<string, number>();
    if (this.#unresolvable > 0) counts.set(NOT_HELPFUL, this.#unresolvable);
    if (this.#resolvable > 0) counts.set(NO_VICTIMS, this.#resolvable);
    return histogram(counts);
  }
}

function histogram(counts: ReadonlyMap<string, number>): string {
  return [...counts].map(([reason, count]) => `${count} ${reason}`).sort().join(", ");
}

/**
 * The FailedScheduling message (and PodScheduled condition message) for a pod that fits no node.
 * @param allNodes how many nodes the cluster has.
 * @param preemptionPolicy the pod's `spec.preemptionPolicy`.
 */
export function fitErrorMessage(
  allNodes: number,
  diagnosis: Diagnosis,
  preemptionPolicy?: string,
): string {
  let message = `0/${allNodes} nodes are available:`;
  if (diagnosis.preFilterMessage) message += ` ${diagnosis.preFilterMessage}.`;
  else {
    const reasons = diagnosis.histogram();
    if (reasons) message += ` ${reasons}.`;
  }
  if (preemptionPolicy === "Never") {
    return `${message} preemption: not eligible due to preemptionPolicy=Never.`;
  }
  return `${message} preemption: 0/${allNodes} nodes are available: ${diagnosis.preemptionHistogram()}.`;
}
