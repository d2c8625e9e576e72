import { assertEquals } from "../../../tests/helpers/assert.ts";
import type { KubeObject } from "../../../kube/types.ts";
import type { RequestUser } from "../../apiserver/store_types.ts";
import { checkNodeRestriction } from "./node_restriction.ts";

const nodeA: RequestUser = { name: "system:node:a", groups: ["system:nodes"] };
const admin: RequestUser = { name: "system:admin", groups: ["system:masters"] };

const node = (name: string, extra: Partial<KubeObject> = {}): KubeObject => ({
  kind: "Node",
  metadata: { name },
  ...extra,
});
const lease = (namespace: string, name: string): KubeObject => ({
  kind: "Lease",
  metadata: { namespace, name },
});

Deno.test("node restriction: Node objects", async (t) => {
  await t.step("another node's Node is refused with upstream's message", () => {
    const denied = checkNodeRestriction(nodeA, "nodes", "create", node("b"));
    assertEquals(denied?.code, 403);
    assertEquals(denied?.reason, "Forbidden");
    assertEquals(
      denied?.message,
      'nodes "b" is forbidden: node "a" is not allowed to modify node "b"',
    );
    assertEquals(denied?.toStatus().details, { name: "b", group: "", kind: "nodes" });
    assertEquals(
      checkNodeRestriction(nodeA, "nodes/status", "patch", node("b"), node("b"))?.message,
      'nodes "b" is forbidden: node "a" is not allowed to modify node "b"',
    );
  });
  await t.step("its own Node passes", () => {
    assertEquals(checkNodeRestriction(nodeA, "nodes", "create", node("a")), undefined);
    assertEquals(
      checkNodeRestriction(nodeA, "nodes/status", "update", node("a"), node("a")),
      undefined,
    );
  });
  await t.step("taints and restricted labels stay with the administrator", () => {
    const tainted = node("a", { spec: { taints: [{ key: "k", effect: "NoSchedule" }] } });
    assertEquals(
      checkNodeRestriction(nodeA, "nodes", "update", node("a"), tainted)?.message,
      'nodes "a" is forbidden: node "a" is not allowed to modify taints',
    );
    const labelled = node("a", {
      metadata: { name: "a", labels: { "node-restriction.kubernetes.io/pool": "gpu" } },
    });
    assertEquals(
      checkNodeRestriction(nodeA, "nodes", "create", labelled)?.message,
      'nodes "a" is forbidden: node "a" is not allowed to set the following labels: node-restriction.kubernetes.io/pool',
    );
    assertEquals(checkNodeRestriction(nodeA, "nodes", "update", labelled, labelled), undefined);
  });
  await t.step("other users are not restricted", () => {
    assertEquals(checkNodeRestriction(admin, "nodes", "create", node("b")), undefined);
    assertEquals(checkNodeRestriction(undefined, "nodes", "create", node("b")), undefined);
  });
});

Deno.test("node restriction: leases and pod status", () => {
  assertEquals(
    checkNodeRestriction(nodeA, "leases", "create", lease("kube-node-lease", "a")),
    undefined,
  );
  assertEquals(
    checkNodeRestriction(nodeA, "leases", "create", lease("kube-node-lease", "b"))?.message,
    'leases.coordination.k8s.io "b" is forbidden: can only access node lease with the same name as the requesting node',
  );
  assertEquals(
    checkNodeRestriction(nodeA, "leases", "create", lease("default", "a"))?.message,
    'leases.coordination.k8s.io "a" is forbidden: can only access leases in the "kube-node-lease" system namespace',
  );
  const pod = (nodeName: string, labels?: Record<string, string>): KubeObject => ({
    kind: "Pod",
    metadata: { namespace: "apps", name: "web", labels },
    spec: { nodeName },
  });
  assertEquals(checkNodeRestriction(nodeA, "pods/status", "update", pod("a"), pod("a")), undefined);
  assertEquals(
    checkNodeRestriction(nodeA, "pods/status", "update", pod("b"), pod("b"))?.message,
    'pods "web" is forbidden: node "a" can only update pod status for pods with spec.nodeName set to itself',
  );
  assertEquals(
    checkNodeRestriction(nodeA, "pods/status", "patch", pod("a", { x: "y" }), pod("a"))?.message,
    'pods "web" is forbidden: node "a" cannot update labels through pod status',
  );
  assertEquals(checkNodeRestriction(nodeA, "configmaps", "create", pod("b")), undefined);
});
