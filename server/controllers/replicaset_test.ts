import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { waitFor } from "../../tests/helpers/wait.ts";
import type { KubeObject } from "../../kube/types.ts";
import { openTestStores } from "../../tests/helpers/stores.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import { silentLogger } from "../log.ts";
import { controllerRefOf } from "./controller_ref.ts";
import { startReplicaSetController } from "./replicaset.ts";
import { setPodReady } from "./_test_pods.ts";

function replicaSet(name: string, replicas: number): KubeObject {
  return {
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "web", image: "nginx" }] },
      },
    },
  };
}

async function podsOf(stores: StoreSet, app: string): Promise<KubeObject[]> {
  const list = await stores.forKind("", "Pod").list("ns", { labelSelector: `app=${app}` });
  return list.items.filter((p) => !p.metadata.deletionTimestamp);
}

Deno.test("replicaset: creates, adopts, reports and scales pods", async (t) => {
  await using test = await openTestStores(["ns"]);
  const { stores } = test;
  const stop = new AbortController();
  const running = startReplicaSetController(stores, { signal: stop.signal, logger: silentLogger });
  const replicaSets = stores.forKind("apps", "ReplicaSet");
  try {
    // An orphan that matches is adopted rather than duplicated.
    const orphan = await stores.forKind("", "Pod").create("ns", {
      metadata: { name: "orphan", labels: { app: "web" } },
      spec: { containers: [{ name: "web", image: "nginx" }] },
    });
    const { object: rs } = await replicaSets.create("ns", replicaSet("web", 3));

    await t.step("scale up from the template, owned and adopted", async () => {
      const pods = await waitFor("3 pods", async () => {
        const pods = await podsOf(stores, "web");
        return pods.length === 3 && pods.every((p) => controllerRefOf(p)) && pods;
      });
      for (const pod of pods) {
        const ref = controllerRefOf(pod)!;
        assertEquals(ref.uid, rs.metadata.uid);
        assertEquals(ref.blockOwnerDeletion, true);
        assertEquals(ref.kind, "ReplicaSet");
      }
      assert(pods.some((p) => p.metadata.name === "orphan"), "the orphan was adopted");
      assert(pods.filter((p) => p.metadata.name!.startsWith("web-")).length === 2);
      assertEquals(
        orphan.object.metadata.uid,
        pods.find((p) => p.metadata.name === "orphan")!
          .metadata.uid,
      );
    });

    await t.step("status counts ready and available pods", async () => {
      const pods = await podsOf(stores, "web");
      await setPodReady(stores, pods[0], true);
      await setPodReady(stores, pods[1], true);
      const status = await waitFor("ready 2", async () => {
        const current = await replicaSets.get("ns", "web");
        return current.status?.readyReplicas === 2 && current.status;
      });
      assertEquals(status.replicas, 3);
      assertEquals(status.fullyLabeledReplicas, 3);
      assertEquals(status.availableReplicas, 2);
      assertEquals(status.observedGeneration, 1);
    });

    await t.step("scale down deletes the not-ready pod first", async () => {
      const before = await podsOf(stores, "web");
      const notReady = before.find((p) => p.status?.conditions === undefined)!;
      await replicaSets.patch("ns", "web", "merge", { spec: { replicas: 2 } });
      const after = await waitFor("2 pods", async () => {
        const pods = await podsOf(stores, "web");
        return pods.length === 2 && pods;
      });
      assert(!after.some((p) => p.metadata.uid === notReady.metadata.uid), "not-ready went");
      await waitFor("status follows", async () => {
        const current = await replicaSets.get("ns", "web");
        return current.status?.replicas === 2 && current.status.observedGeneration === 2;
      });
    });

    await t.step("a deleted pod is replaced", async () => {
      const [victim] = await podsOf(stores, "web");
      await stores.forKind("", "Pod").delete("ns", victim.metadata.name!);
      await waitFor("2 pods again", async () => {
        const pods = await podsOf(stores, "web");
        return pods.length === 2 && !pods.some((p) => p.metadata.uid === victim.metadata.uid);
      });
    });

    await t.step("a pod whose labels no longer match is released", async () => {
      const [pod] = await podsOf(stores, "web");
      await stores.forKind("", "Pod").patch("ns", pod.metadata.name!, "merge", {
        metadata: { labels: { app: "other" } },
      });
      await waitFor("released and replaced", async () => {
        const released = await stores.forKind("", "Pod").get("ns", pod.metadata.name!);
        return !controllerRefOf(released) && (await podsOf(stores, "web")).length === 2;
      });
    });

    await t.step("scale to zero", async () => {
      await replicaSets.patch("ns", "web", "merge", { spec: { replicas: 0 } });
      await waitFor("no pods", async () => (await podsOf(stores, "web")).length === 0);
      await waitFor("status 0", async () => {
        const current = await replicaSets.get("ns", "web");
        return current.status?.replicas === 0;
      });
    });
  } finally {
    stop.abort();
    await running;
  }
});

Deno.test("replicaset: minReadySeconds holds availability back, then counts it", async () => {
  await using test = await openTestStores(["ns"]);
  const { stores } = test;
  let clock = Date.now();
  const stop = new AbortController();
  const running = startReplicaSetController(stores, {
    signal: stop.signal,
    logger: silentLogger,
    now: () => clock,
  });
  try {
    const rs = replicaSet("slow", 1);
    rs.spec.minReadySeconds = 30;
    await stores.forKind("apps", "ReplicaSet").create("ns", rs);
    const [pod] = await waitFor("a pod", async () => {
      const pods = await podsOf(stores, "slow");
      return pods.length === 1 && pods;
    });
    await setPodReady(stores, pod, true);
    const ready = await waitFor("ready", async () => {
      const current = await stores.forKind("apps", "ReplicaSet").get("ns", "slow");
      return current.status?.readyReplicas === 1 && current.status;
    });
    assertEquals(ready.availableReplicas, 0);
    // Time passes; any event makes the controller look again with the new clock.
    clock += 31_000;
    await stores.forKind("apps", "ReplicaSet").patch("ns", "slow", "merge", {
      metadata: { labels: { touched: "yes" } },
    });
    await waitFor("available", async () => {
      const current = await stores.forKind("apps", "ReplicaSet").get("ns", "slow");
      return current.status?.availableReplicas === 1;
    });
  } finally {
    stop.abort();
    await running;
  }
});
