import { assertEquals } from "../../tests/helpers/assert.ts";
import { SchedulerCache } from "./cache.ts";
import { podRequests } from "./resources.ts";
import { testNode, testPod } from "./_test_objects.ts";

const bound = (pod: ReturnType<typeof testPod>, node: string) => ({
  ...pod,
  spec: { ...pod.spec, nodeName: node },
});

Deno.test("cache: assumed pods count at once; the watch confirms, a failed binding forgets", () => {
  const cache = new SchedulerCache();
  cache.setNode(testNode("n"));
  const pod = testPod("p", { requests: { cpu: "1" } });
  cache.assume(pod, "n", podRequests(pod));
  assertEquals(cache.node("n")!.requested.milliCpu, 1000);
  assertEquals(cache.isAssumed(pod.metadata.uid!), true);
  cache.setPod(bound(pod, "n"));
  assertEquals(cache.isAssumed(pod.metadata.uid!), false);
  assertEquals(cache.node("n")!.requested.milliCpu, 1000);
  // Confirmed: a late forget changes nothing.
  cache.forget(pod.metadata.uid!);
  assertEquals(cache.node("n")!.podCount, 1);

  const other = testPod("q", { requests: { cpu: "1" } });
  cache.assume(other, "n", podRequests(other));
  cache.forget(other.metadata.uid!);
  assertEquals(cache.node("n")!.requested.milliCpu, 1000);
});

Deno.test("cache: finished and deleted pods free their node", () => {
  const cache = new SchedulerCache();
  cache.setNode(testNode("n"));
  const pod = bound(testPod("p", { requests: { memory: "1Gi" } }), "n");
  cache.setPod(pod);
  assertEquals(cache.node("n")!.requested.memory, 2 ** 30);
  assertEquals(cache.setPod({ ...pod, status: { phase: "Succeeded" } }), true);
  assertEquals(cache.node("n")!.requested.memory, 0);
  cache.setPod(pod);
  assertEquals(cache.removePod(pod.metadata.uid!), true);
  assertEquals(cache.node("n")!.podCount, 0);
});

Deno.test("cache: pods seen before their node count once it arrives", () => {
  const cache = new SchedulerCache();
  cache.setPod(bound(testPod("p", { requests: { cpu: "2" }, owner: "rs" }), "late"));
  assertEquals(cache.node("late"), undefined);
  assertEquals(cache.nodes.length, 0);
  cache.setNode(testNode("late", { labels: { "topology.kubernetes.io/zone": "z" } }));
  assertEquals(cache.node("late")!.requested.milliCpu, 2000);
  assertEquals(cache.zoneOwnerCount("z", "rs"), 1);
});

Deno.test("cache: nodes leave the sampling order; zone counts follow labels", () => {
  const cache = new SchedulerCache();
  for (const name of ["a", "b", "c"]) cache.setNode(testNode(name));
  cache.removeNode("a");
  assertEquals(cache.nodes.map((n) => n.name).sort(), ["b", "c"]);
  cache.setPod(bound(testPod("p", { owner: "rs" }), "b"));
  assertEquals(cache.zoneOwnerCount("z", "rs"), 0);
  assertEquals(
    cache.setNode(testNode("b", { labels: { "topology.kubernetes.io/zone": "z" } })),
    true,
  );
  assertEquals(cache.zoneOwnerCount("z", "rs"), 1);
  assertEquals(
    cache.setNode(testNode("b", { labels: { "topology.kubernetes.io/zone": "z" } })),
    false,
  );
  cache.replaceNodes([testNode("c")]);
  assertEquals(cache.nodes.map((n) => n.name), ["c"]);
  assertEquals(cache.zoneOwnerCount("z", "rs"), 0);
});

Deno.test("cache: a relist drops pods that are gone but keeps assumed ones", () => {
  const cache = new SchedulerCache();
  cache.setNode(testNode("n"));
  const gone = bound(testPod("gone"), "n");
  const kept = bound(testPod("kept"), "n");
  const assumed = testPod("assumed");
  cache.setPod(gone);
  cache.assume(assumed, "n", podRequests(assumed));
  cache.replacePods([kept]);
  assertEquals(cache.hasPod(gone.metadata.uid!), false);
  assertEquals(cache.hasPod(kept.metadata.uid!), true);
  assertEquals(cache.isAssumed(assumed.metadata.uid!), true);
  assertEquals(cache.node("n")!.podCount, 2);
});
