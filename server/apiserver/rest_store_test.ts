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

Deno.test("a filtered list with a limit reads the limit's worth first, and doubles pages while the filter drops rows", async () => {
  await using test = await openTestStores(["ns"]);
  const configMaps = test.stores.forKind("", "ConfigMap");
  for (let i = 0; i < 40; i++) {
    const labels: Record<string, string> = { every: "yes" };
    if (i >= 35) labels.rare = "yes";
    await configMaps.create("ns", {
      metadata: { name: `cm-${String(i).padStart(2, "0")}`, labels },
    });
  }
  const pageLimits: (number | undefined)[] = [];
  const backend = test.backend;
  const list = backend.list.bind(backend);
  backend.list = (prefix, options) => {
    pageLimits.push(options?.limit);
    return list(prefix, options);
  };

  const names = (list: { items: KubeObject[] }) => list.items.map((cm) => cm.metadata.name);
  const range = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, i) => `cm-${String(from + i).padStart(2, "0")}`);

  const every = await configMaps.list("ns", { labelSelector: "every=yes", limit: 5 });
  assertEquals(names(every), range(0, 5));
  assert(every.metadata.continue, "more match after the page");
  assertEquals(pageLimits, [5], "every row matched: one page of the limit");
  const next = await configMaps.list("ns", {
    labelSelector: "every=yes",
    limit: 5,
    continue: every.metadata.continue,
  });
  assertEquals(names(next), range(5, 10), "the next page, at the first page's revision");

  pageLimits.length = 0;
  const rare = await configMaps.list("ns", { labelSelector: "rare=yes", limit: 5 });
  assertEquals(names(rare), range(35, 40));
  assertEquals(rare.metadata.continue, undefined, "nothing matches after the last");
  assertEquals(pageLimits, [5, 10, 20, 40]);
});
