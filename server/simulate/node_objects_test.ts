import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import {
  healthyConditions,
  leaseObject,
  nodeObject,
  reportsHealthy,
  SIMULATED_LABEL,
  simulatedNodeIp,
} from "./node_objects.ts";
import { microTime } from "../apiserver/object_meta.ts";

const NOW = Date.parse("2024-05-01T10:00:00.123Z");

Deno.test("node objects: a Ready node with capacity, addresses, labels and kubelet version", () => {
  const node = nodeObject(
    { name: "sim-0", internalIp: "198.18.0.1", cpu: "4", memory: "16Gi", maxPods: 110 },
    NOW,
  );
  assertEquals(node.metadata.labels?.[SIMULATED_LABEL], "true");
  assertEquals(node.metadata.labels?.["kubernetes.io/hostname"], "sim-0");
  assertEquals(node.status.capacity, { cpu: "4", memory: "16Gi", pods: "110" });
  assertEquals(node.status.allocatable, node.status.capacity);
  assertEquals(node.status.addresses[0], { type: "InternalIP", address: "198.18.0.1" });
  assertEquals(node.status.nodeInfo.kubeletVersion, "v1.32.4+k3ts");
  assert(reportsHealthy(node));
  const unknown = structuredClone(node);
  unknown.status.conditions[3].status = "Unknown";
  assert(!reportsHealthy(unknown));
});

Deno.test("node objects: conditions keep their transition time while unchanged", () => {
  const before = healthyConditions(undefined, NOW);
  const later = healthyConditions(before, NOW + 60_000);
  assertEquals(later[3].lastTransitionTime, "2024-05-01T10:00:00Z");
  assertEquals(later[3].lastHeartbeatTime, "2024-05-01T10:01:00Z");
  const recovered = healthyConditions([{ ...before[3], status: "Unknown" }], NOW + 60_000);
  assertEquals(recovered[3].lastTransitionTime, "2024-05-01T10:01:00Z");
});

Deno.test("node objects: a lease owned by its node, renewed in microseconds", () => {
  const lease = leaseObject("sim-0", "uid-1", NOW);
  assertEquals(lease.metadata.namespace, "kube-node-lease");
  assertEquals(lease.metadata.ownerReferences, [
    { apiVersion: "v1", kind: "Node", name: "sim-0", uid: "uid-1" },
  ]);
  assertEquals(lease.spec, {
    holderIdentity: "sim-0",
    leaseDurationSeconds: 40,
    renewTime: "2024-05-01T10:00:00.123000Z",
  });
  assertEquals(microTime(NOW), "2024-05-01T10:00:00.123000Z");
  assertEquals(simulatedNodeIp(0), "198.18.0.1");
  assertEquals(simulatedNodeIp(300), "198.18.1.45");
});
