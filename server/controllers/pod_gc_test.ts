import { assertEquals } from "../../tests/helpers/assert.ts";
import { runLoop } from "../../tests/helpers/loops.ts";
import { openTestStores } from "../../tests/helpers/stores.ts";
import { waitFor } from "../../tests/helpers/wait.ts";
import type { KubeObject } from "../../kube/types.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import { silentLogger } from "../log.ts";
import { startPodGcController, terminatedPodsToDelete } from "./pod_gc.ts";

function pod(name: string, extra: { phase?: string; nodeName?: string; created?: string } = {}) {
  return {
    metadata: { name, namespace: "ns", creationTimestamp: extra.created },
    spec: {
      containers: [{ name: "c", image: "busybox" }],
      ...(extra.nodeName ? { nodeName: extra.nodeName } : {}),
    },
    status: extra.phase ? { phase: extra.phase } : {},
  } as KubeObject;
}

/** Creates a pod and, as its kubelet would, reports its phase. */
async function createPod(stores: StoreSet, object: KubeObject): Promise<void> {
  const pods = stores.forKind("", "Pod");
  await pods.create("ns", object);
  await pods.updateWith("ns", object.metadata.name!, (current) => {
    current.status = object.status;
    return current;
  }, { subresource: "status" });
}

async function names(stores: StoreSet): Promise<string[]> {
  const list = await stores.forKind("", "Pod").list("ns");
  return list.items.map((p) => p.metadata.name!).sort();
}

Deno.test("pod gc: finished pods beyond the threshold go oldest first", () => {
  const pods = [
    pod("new", { phase: "Succeeded", created: "2024-01-01T00:00:03Z" }),
    pod("old", { phase: "Failed", created: "2024-01-01T00:00:01Z" }),
    pod("mid", { phase: "Succeeded", created: "2024-01-01T00:00:02Z" }),
    pod("running", { phase: "Running", created: "2024-01-01T00:00:00Z" }),
  ];
  assertEquals(terminatedPodsToDelete(pods, 1).map((p) => p.metadata.name), ["old", "mid"]);
  assertEquals(terminatedPodsToDelete(pods, 3), []);
  assertEquals(terminatedPodsToDelete(pods, 0), [], "0 keeps all");
});

Deno.test("pod gc: deletes finished pods above the threshold", async () => {
  await using test = await openTestStores(["ns"]);
  const { stores } = test;
  for (const name of ["a", "b", "c", "d"]) {
    await createPod(stores, pod(name, { phase: "Succeeded" }));
  }
  await createPod(stores, pod("live", { phase: "Running" }));
  await using _gc = runLoop((signal) =>
    startPodGcController(stores, {
      signal,
      logger: silentLogger,
      terminatedPodThreshold: 2,
      passDelayMs: 10,
    })
  );
  // Same creation second: the name breaks the tie, as the oldest-first order is otherwise equal.
  await waitFor("two finished pods left", async () => (await names(stores)).length === 3);
  assertEquals(await names(stores), ["c", "d", "live"]);
});

Deno.test("pod gc: pods of a vanished node go after the quarantine", async () => {
  await using test = await openTestStores(["ns"]);
  const { stores } = test;
  let clock = Date.now();
  await createPod(stores, pod("orphan", { phase: "Running", nodeName: "ghost" }));
  await stores.forKind("", "Node").create(undefined, { metadata: { name: "here" } });
  await createPod(stores, pod("kept", { phase: "Running", nodeName: "here" }));
  await createPod(stores, pod("done-1", { phase: "Succeeded" }));
  await createPod(stores, pod("done-2", { phase: "Succeeded" }));
  await using _gc = runLoop((signal) =>
    startPodGcController(stores, {
      signal,
      logger: silentLogger,
      passDelayMs: 10,
      orphanQuarantineMs: 40_000,
      terminatedPodThreshold: 1,
      now: () => clock,
    })
  );
  // A pass ran (one finished pod went), but the quarantine holds the orphan.
  await waitFor("a pass", async () => !(await names(stores)).includes("done-1"));
  assertEquals(await names(stores), ["done-2", "kept", "orphan"]);
  clock += 41_000;
  await createPod(stores, pod("poke", { phase: "Running", nodeName: "here" }));
  await waitFor("the orphan deleted", async () => !(await names(stores)).includes("orphan"));
  assertEquals(await names(stores), ["done-2", "kept", "poke"]);
});
