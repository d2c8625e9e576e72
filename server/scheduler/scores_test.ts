import { assertEquals } from "../../tests/helpers/assert.ts";
import { SchedulerCache } from "./cache.ts";
import { filterInput } from "./filters.ts";
import { NodeInfo } from "./node_info.ts";
import { schedulePod } from "./schedule_pod.ts";
import { balancedAllocationScore, leastAllocatedScore, pickHighest, scoreNodes } from "./scores.ts";
import { podRequests } from "./resources.ts";
import { testNode, type TestNodeOptions, testPod } from "./_test_objects.ts";

function info(name: string, options: TestNodeOptions = {}): NodeInfo {
  const node = new NodeInfo(name);
  node.setNode(testNode(name, options));
  return node;
}

Deno.test("scores: LeastAllocated prefers the emptier node", () => {
  const requests = podRequests(testPod("p", { requests: { cpu: "1", memory: "4Gi" } }));
  // (4000-1000)/4000 → 75, (16Gi-4Gi)/16Gi → 75
  assertEquals(leastAllocatedScore(requests, info("a")), 75);
  assertEquals(leastAllocatedScore(requests, info("b", { cpu: "2" })), 62);
});

Deno.test("scores: BalancedAllocation prefers equal cpu and memory shares", () => {
  const requests = podRequests(testPod("p", { requests: { cpu: "2", memory: "2Gi" } }));
  // cpu 2/4 = 0.5, memory 2/16 = 0.125 → deviation 0.1875 → 81
  assertEquals(balancedAllocationScore(requests, info("a")), 81);
  assertEquals(balancedAllocationScore(requests, info("b", { memory: "4Gi" })), 100);
  // Best-effort pods skip it: every node scores alike.
  assertEquals(balancedAllocationScore(podRequests(testPod("q")), info("a")), 0);
});

Deno.test("scores: PreferNoSchedule taints and preferred affinity weigh in", () => {
  const cache = new SchedulerCache();
  const nodes = [
    info("plain"),
    info("tainted", { taints: [{ key: "spot", effect: "PreferNoSchedule" }] }),
    info("preferred", { labels: { disk: "ssd" } }),
  ];
  const pod = testPod("p", {
    affinity: {
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [{
          weight: 50,
          preference: { matchExpressions: [{ key: "disk", operator: "In", values: ["ssd"] }] },
        }],
      },
    },
  });
  const scores = scoreNodes(filterInput(pod), nodes, cache);
  assertEquals(scores[2] > scores[0] && scores[0] > scores[1], true, String(scores));
});

Deno.test("scores: ties are broken at random, the highest always wins", () => {
  assertEquals(pickHighest([1, 5, 3]), 1);
  const picks = new Set<number>();
  for (let i = 0; i < 200; i++) picks.add(pickHighest([7, 2, 7, 7]));
  assertEquals([...picks].sort(), [0, 2, 3]);
});

Deno.test("scores: replicas of one owner spread across equal nodes", () => {
  const cache = new SchedulerCache();
  for (const name of ["a", "b", "c"]) cache.setNode(testNode(name));
  const cursor = { nextStartNodeIndex: 0 };
  const placed = new Map<string, number>();
  for (let i = 0; i < 6; i++) {
    // Requests too small to tell nodes apart: spreading decides.
    const pod = testPod(`web-${i}`, { owner: "rs-web", requests: { cpu: "1m" } });
    const result = schedulePod(pod, cache, cursor);
    if (!result.node) throw new Error(result.message);
    cache.assume(pod, result.node.name, result.input.requests);
    placed.set(result.node.name, (placed.get(result.node.name) ?? 0) + 1);
  }
  assertEquals([...placed.values()], [2, 2, 2]);
});

Deno.test("scores: replicas spread across zones too", () => {
  const cache = new SchedulerCache();
  // Zone x has three nodes, zone y one: spreading by zone puts half the pods in y.
  for (const name of ["x1", "x2", "x3"]) {
    cache.setNode(testNode(name, { labels: { "topology.kubernetes.io/zone": "x" } }));
  }
  cache.setNode(testNode("y1", { labels: { "topology.kubernetes.io/zone": "y" } }));
  const cursor = { nextStartNodeIndex: 0 };
  let inY = 0;
  for (let i = 0; i < 8; i++) {
    const pod = testPod(`web-${i}`, { owner: "rs-web", requests: { cpu: "1m" } });
    const result = schedulePod(pod, cache, cursor);
    if (!result.node) throw new Error(result.message);
    cache.assume(pod, result.node.name, result.input.requests);
    if (result.node.name === "y1") inY++;
  }
  assertEquals(inY >= 3, true, `only ${inY} of 8 in zone y`);
});
