import { assertEquals } from "../../tests/helpers/assert.ts";
import { SchedulerCache } from "./cache.ts";
import { NO_NODES_MESSAGE } from "./fit_error.ts";
import { numFeasibleNodesToFind, schedulePod } from "./schedule_pod.ts";
import { testNode, testPod } from "./_test_objects.ts";

Deno.test("schedulePod: how many feasible nodes to look for", () => {
  assertEquals(numFeasibleNodesToFind(50), 50);
  assertEquals(numFeasibleNodesToFind(150), 100);
  assertEquals(numFeasibleNodesToFind(1000), 420);
  assertEquals(numFeasibleNodesToFind(5000), 500);
  assertEquals(numFeasibleNodesToFind(10000), 500);
  assertEquals(numFeasibleNodesToFind(1000, 10), 100);
  assertEquals(numFeasibleNodesToFind(1000, 100), 1000);
});

Deno.test("schedulePod: a large cluster is searched in turns, from where the last pod stopped", () => {
  const cache = new SchedulerCache();
  for (let i = 0; i < 1000; i++) cache.setNode(testNode(`n${i}`));
  const cursor = { nextStartNodeIndex: 0 };
  schedulePod(testPod("a"), cache, cursor);
  assertEquals(cursor.nextStartNodeIndex, 420);
  schedulePod(testPod("b"), cache, cursor);
  assertEquals(cursor.nextStartNodeIndex, 840);
  schedulePod(testPod("c"), cache, cursor);
  assertEquals(cursor.nextStartNodeIndex, 260);
});

Deno.test("schedulePod: the message when nothing fits", () => {
  const cache = new SchedulerCache();
  const cursor = { nextStartNodeIndex: 0 };
  assertEquals(schedulePod(testPod("p"), cache, cursor), { message: NO_NODES_MESSAGE });
  cache.setNode(testNode("small", { cpu: "1" }));
  cache.setNode(
    testNode("tainted", { taints: [{ key: "key", value: "value", effect: "NoSchedule" }] }),
  );
  cache.setNode(
    testNode("cordoned", {
      unschedulable: true,
      taints: [{ key: "key", value: "value", effect: "NoSchedule" }],
    }),
  );
  const result = schedulePod(testPod("p", { requests: { cpu: "2" } }), cache, cursor);
  assertEquals(
    result.node === undefined ? result.message : "",
    "0/3 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {key: value}, " +
      "1 node(s) were unschedulable. preemption: 0/3 nodes are available: " +
      "1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.",
  );
});

Deno.test("schedulePod: a pod pinned by metadata.name is only tried on its node", () => {
  const cache = new SchedulerCache();
  for (const name of ["a", "b", "c"]) {
    cache.setNode(testNode(name, { cpu: name === "b" ? "1" : "4" }));
  }
  const pinned = (node: string) =>
    testPod("ds", {
      requests: { cpu: "2" },
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{
              matchFields: [{ key: "metadata.name", operator: "In", values: [node] }],
            }],
          },
        },
      },
    });
  const cursor = { nextStartNodeIndex: 0 };
  assertEquals(schedulePod(pinned("c"), cache, cursor).node?.name, "c");
  const result = schedulePod(pinned("b"), cache, cursor);
  assertEquals(
    result.node === undefined ? result.message : "",
    "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. " +
      "preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, " +
      "2 Preemption is not helpful for scheduling.",
  );
});

Deno.test("schedulePod: an assumed pod counts at once", () => {
  const cache = new SchedulerCache();
  cache.setNode(testNode("only", { cpu: "1" }));
  const cursor = { nextStartNodeIndex: 0 };
  const first = testPod("first", { requests: { cpu: "600m" } });
  const result = schedulePod(first, cache, cursor);
  assertEquals(result.node?.name, "only");
  if (result.node) cache.assume(first, "only", result.input.requests);
  const second = schedulePod(testPod("second", { requests: { cpu: "600m" } }), cache, cursor);
  assertEquals(second.node, undefined);
  cache.forget(first.metadata.uid!);
  assertEquals(
    schedulePod(testPod("third", { requests: { cpu: "600m" } }), cache, cursor).node?.name,
    "only",
  );
});
