import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { openTestStores } from "../../tests/helpers/stores.ts";
import type { KubeObject } from "../../kube/types.ts";

function heldPod(name: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, finalizers: ["example.com/hold"] },
    spec: { containers: [{ name: "c", image: "busybox" }] },
  };
}

Deno.test("a held pod goes when its last finalizer goes, once its kubelet confirmed", async () => {
  await using test = await openTestStores(["ns"]);
  const pods = test.stores.forKind("", "Pod");
  await pods.create("ns", heldPod("confirmed"));
  // A zero grace period is what the kubelet's final delete (or a force delete) records.
  await pods.delete("ns", "confirmed", { gracePeriodSeconds: 0 });
  const marked = await pods.get("ns", "confirmed");
  assertEquals(marked.metadata.deletionGracePeriodSeconds, 0);
  await pods.update("ns", "confirmed", {
    ...marked,
    metadata: { ...marked.metadata, finalizers: [] },
  });
  assertEquals(await pods.find("ns", "confirmed"), undefined);
});

Deno.test("a held pod in its grace period stays when its finalizer goes", async () => {
  await using test = await openTestStores(["ns"]);
  const pods = test.stores.forKind("", "Pod");
  await pods.create("ns", {
    ...heldPod("running"),
    spec: { nodeName: "n1", containers: [{ name: "c", image: "busybox" }] },
  });
  await pods.delete("ns", "running", { gracePeriodSeconds: 30 });
  const marked = await pods.get("ns", "running");
  await pods.update("ns", "running", {
    ...marked,
    metadata: { ...marked.metadata, finalizers: [] },
  });
  const still = await pods.find("ns", "running");
  assert(still?.metadata.deletionTimestamp, "the kubelet has containers to stop first");
});
