import { assertEquals } from "../../tests/helpers/assert.ts";
import type { KubeObject } from "../../kube/types.ts";
import {
  isPodAvailable,
  nextAvailableAt,
  POD_DELETION_COST,
  rankForDeletion,
} from "./pod_state.ts";

function pod(name: string, options: {
  node?: string;
  phase?: string;
  readySince?: number;
  created?: number;
  cost?: number;
  restarts?: number;
} = {}): KubeObject {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    metadata: {
      name,
      creationTimestamp: iso(options.created ?? 0),
      annotations: options.cost !== undefined ? { [POD_DELETION_COST]: String(options.cost) } : {},
    },
    spec: options.node ? { nodeName: options.node } : {},
    status: {
      phase: options.phase ?? "Running",
      conditions: options.readySince !== undefined
        ? [{ type: "Ready", status: "True", lastTransitionTime: iso(options.readySince) }]
        : [],
      containerStatuses: [{ restartCount: options.restarts ?? 0 }],
    },
  };
}

Deno.test("pod state: deletion order, most deletable first", () => {
  const ranked = rankForDeletion([
    pod("ready-old", { node: "n1", readySince: 1000 }),
    pod("unscheduled", { phase: "Pending" }),
    pod("pending", { node: "n1", phase: "Pending" }),
    pod("not-ready", { node: "n1" }),
    pod("ready-new", { node: "n1", readySince: 5000 }),
    pod("cheap", { node: "n2", readySince: 1000, cost: -10 }),
  ]);
  assertEquals(ranked.map((p) => p.metadata.name), [
    "unscheduled",
    "pending",
    "not-ready",
    "cheap",
    "ready-new",
    "ready-old",
  ]);
  // On equal footing, the node crowded with siblings loses one first, then the newer pod.
  const crowded = rankForDeletion([
    pod("alone", { node: "n2", readySince: 0, created: 1 }),
    pod("crowd-a", { node: "n1", readySince: 0, created: 1 }),
    pod("crowd-b", { node: "n1", readySince: 0, created: 2 }),
  ]);
  assertEquals(crowded.map((p) => p.metadata.name), ["crowd-b", "crowd-a", "alone"]);
});

Deno.test("pod state: availability waits minReadySeconds", () => {
  const p = pod("p", { readySince: 10_000 });
  assertEquals(isPodAvailable(p, 0, 10_000), true);
  assertEquals(isPodAvailable(p, 5, 14_000), false);
  assertEquals(isPodAvailable(p, 5, 15_000), true);
  assertEquals(nextAvailableAt([p, pod("q")], 5, 12_000), 15_000);
  assertEquals(nextAvailableAt([p], 5, 16_000), undefined);
});
