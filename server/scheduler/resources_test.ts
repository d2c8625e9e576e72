import { assertEquals } from "../../tests/helpers/assert.ts";
import { nodeAllocatable, podRequests } from "./resources.ts";
import { testNode, testPod } from "./_test_objects.ts";

Deno.test("resources: containers add up, init containers peak, overhead on top", () => {
  const pod = testPod("p", { requests: { cpu: "250m", memory: "64Mi" } });
  pod.spec.containers.push({ name: "b", resources: { requests: { cpu: "250m" } } });
  pod.spec.initContainers = [
    { name: "init", resources: { requests: { cpu: "2", memory: "32Mi" } } },
  ];
  pod.spec.overhead = { cpu: "10m" };
  const requests = podRequests(pod);
  assertEquals(requests.milliCpu, 2010);
  assertEquals(requests.memory, 64 * 2 ** 20);
  // Scoring counts the unstated memory of container b as 200Mi.
  assertEquals(requests.nonZeroMemory, (64 + 200) * 2 ** 20);
  assertEquals(requests.nonZeroMilliCpu, 2010);
});

Deno.test("resources: sidecars run alongside later init containers and the app", () => {
  const pod = testPod("p", { requests: { cpu: "1" } });
  pod.spec.initContainers = [
    { name: "sidecar", restartPolicy: "Always", resources: { requests: { cpu: "500m" } } },
    { name: "init", resources: { requests: { cpu: "1200m" } } },
  ];
  // max(app 1 + sidecar 0.5, init 1.2 + sidecar 0.5) = 1.7
  assertEquals(podRequests(pod).milliCpu, 1700);
});

Deno.test("resources: a best-effort pod requests nothing but scores as 100m / 200Mi", () => {
  const requests = podRequests(testPod("p"));
  assertEquals([requests.milliCpu, requests.memory], [0, 0]);
  assertEquals([requests.nonZeroMilliCpu, requests.nonZeroMemory], [100, 200 * 2 ** 20]);
});

Deno.test("resources: node allocatable, with capacity as the fallback", () => {
  const node = testNode("n", { cpu: "3500m", memory: "1Gi", pods: "20" });
  const allocatable = nodeAllocatable(node);
  assertEquals([allocatable.milliCpu, allocatable.memory, allocatable.pods], [3500, 2 ** 30, 20]);
  const capacityOnly = nodeAllocatable(testNode("n", { capacityOnly: true, pods: "7" }));
  assertEquals(capacityOnly.pods, 7);
  node.status.allocatable = { cpu: "3" };
  assertEquals(nodeAllocatable(node).milliCpu, 3000);
  assertEquals(nodeAllocatable(node).pods, 20);
});
