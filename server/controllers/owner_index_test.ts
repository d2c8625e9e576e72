import { assertEquals } from "../../tests/helpers/assert.ts";
import type { OwnerReference } from "../../kube/types.ts";
import {
  isDeletingDependents,
  isOrphaning,
  OwnerIndex,
  type OwnerIndexNode,
} from "./owner_index.ts";

function node(
  uid: string,
  owners: string[] = [],
  extra: Partial<OwnerIndexNode> = {},
): OwnerIndexNode {
  const refs: OwnerReference[] = owners.map((o) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    name: o,
    uid: o,
  }));
  return {
    uid,
    group: "",
    kind: "ConfigMap",
    namespace: "ns",
    name: uid,
    owners: refs,
    beingDeleted: false,
    finalizers: [],
    ...extra,
  };
}

Deno.test("owner index: dependents by owner UID, also for owners never seen", () => {
  const index = new OwnerIndex();
  index.upsert(node("child-1", ["owner"]));
  index.upsert(node("child-2", ["owner", "other"]));
  assertEquals(index.dependents("owner").map((n) => n.uid).sort(), ["child-1", "child-2"]);
  assertEquals(index.hasDependents("other"), true);
  // An owner reference that changes moves the dependent.
  index.upsert(node("child-2", ["other"]));
  assertEquals(index.dependents("owner").map((n) => n.uid), ["child-1"]);
  index.remove("child-1");
  assertEquals(index.hasDependents("owner"), false);
  assertEquals(index.size, 1);
});

Deno.test("owner index: a relist of one resource reports what changed and what went", () => {
  const index = new OwnerIndex();
  index.upsert(node("a"));
  index.upsert(node("b", ["a"]));
  index.upsert({ ...node("p"), kind: "Pod" });
  const { upserted, removed } = index.replace("", "ConfigMap", [
    node("b", ["a"]),
    node("c", [], { beingDeleted: true, finalizers: ["orphan"] }),
  ]);
  assertEquals(removed.map((n) => n.uid), ["a"]);
  assertEquals(upserted.map((u) => u.node.uid), ["c"]);
  assertEquals(index.get("p")?.kind, "Pod", "other resources untouched");
  assertEquals(isOrphaning(index.get("c")!), true);
  assertEquals(isDeletingDependents(index.get("c")!), false);
});
