import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { waitFor } from "../../tests/helpers/wait.ts";
import type { KubeObject, OwnerReference } from "../../kube/types.ts";
import { openTestStores } from "../../tests/helpers/stores.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import { silentLogger } from "../log.ts";
import { startDeploymentController } from "./deployment.ts";
import { startGarbageCollectorController } from "./garbage_collector.ts";
import { startReplicaSetController } from "./replicaset.ts";
import { inProcessInformers } from "../apiserver/in_process_list_watch.ts";
import { runFakeKubelet } from "./_test_pods.ts";

function ownedBy(owner: KubeObject, block = true): OwnerReference {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    blockOwnerDeletion: block,
  };
}

async function configMap(stores: StoreSet, name: string, owners: OwnerReference[] = []) {
  const metadata: KubeObject["metadata"] = { name };
  if (owners.length > 0) metadata.ownerReferences = owners;
  return (await stores.forKind("", "ConfigMap").create("ns", { metadata })).object;
}

function startCollector(stores: StoreSet) {
  const stop = new AbortController();
  const running = startGarbageCollectorController(stores, {
    signal: stop.signal,
    logger: silentLogger,
  });
  return async () => {
    stop.abort();
    await running;
  };
}

Deno.test("garbage collector: Background, Foreground and Orphan propagation", async (t) => {
  await using test = await openTestStores(["ns"]);
  const { stores } = test;
  const maps = stores.forKind("", "ConfigMap");
  const exists = async (name: string) => (await maps.find("ns", name)) !== undefined;
  const stopCollector = startCollector(stores);
  try {
    await t.step("Background: dependents of a deleted owner go, down the chain", async () => {
      const owner = await configMap(stores, "bg-owner");
      const child = await configMap(stores, "bg-child", [ownedBy(owner)]);
      await configMap(stores, "bg-grandchild", [ownedBy(child)]);
      await maps.delete("ns", "bg-owner", { propagationPolicy: "Background" });
      await waitFor(
        "chain collected",
        async () => !(await exists("bg-child")) && !(await exists("bg-grandchild")),
      );
    });

    await t.step(
      "an object with one owner left keeps living, without the dead reference",
      async () => {
        const a = await configMap(stores, "two-a");
        const b = await configMap(stores, "two-b");
        await configMap(stores, "two-child", [ownedBy(a), ownedBy(b)]);
        await maps.delete("ns", "two-a");
        const child = await waitFor("reference dropped", async () => {
          const child = await maps.get("ns", "two-child");
          return child.metadata.ownerReferences?.length === 1 && child;
        });
        assertEquals(child.metadata.ownerReferences![0].uid, b.metadata.uid);
      },
    );

    await t.step("a dependent whose owner never existed is collected", async () => {
      await configMap(stores, "ghost-child", [{
        apiVersion: "v1",
        kind: "ConfigMap",
        name: "ghost",
        uid: crypto.randomUUID(),
      }]);
      await waitFor("collected", async () => !(await exists("ghost-child")));
    });

    await t.step("Foreground: the owner stays until its blocking dependents are gone", async () => {
      const owner = await configMap(stores, "fg-owner");
      const child = await configMap(stores, "fg-child", [ownedBy(owner)]);
      // A finalizer of someone else holds the grandchild, so the chain is visibly blocked.
      const grandchild = await maps.create("ns", {
        metadata: {
          name: "fg-grandchild",
          ownerReferences: [ownedBy(child)],
          finalizers: ["test/hold"],
        },
      });
      await maps.delete("ns", "fg-owner", { propagationPolicy: "Foreground" });
      const waiting = await waitFor("child deleting in the foreground", async () => {
        const c = await maps.find("ns", "fg-child");
        return c?.metadata.deletionTimestamp !== undefined && c;
      });
      assert(waiting.metadata.finalizers!.includes("foregroundDeletion"));
      const owner2 = await maps.get("ns", "fg-owner");
      assert(owner2.metadata.deletionTimestamp !== undefined, "owner marked");
      assertEquals(owner2.metadata.finalizers, ["foregroundDeletion"]);
      await waitFor(
        "grandchild marked",
        async () =>
          (await maps.get("ns", "fg-grandchild")).metadata.deletionTimestamp !== undefined,
      );
      // Release the grandchild: the whole chain goes, owner last.
      await maps.patch("ns", "fg-grandchild", "merge", { metadata: { finalizers: null } });
      await waitFor(
        "chain gone",
        async () =>
          !(await exists("fg-grandchild")) && !(await exists("fg-child")) &&
          !(await exists("fg-owner")),
      );
      assert(grandchild.object.metadata.uid);
    });

    await t.step("Foreground: non-blocking dependents do not hold the owner", async () => {
      const owner = await configMap(stores, "nb-owner");
      await maps.create("ns", {
        metadata: {
          name: "nb-child",
          ownerReferences: [ownedBy(owner, false)],
          finalizers: ["test/hold"],
        },
      });
      await maps.delete("ns", "nb-owner", { propagationPolicy: "Foreground" });
      await waitFor("owner gone", async () => !(await exists("nb-owner")));
      const child = await maps.get("ns", "nb-child");
      assert(child.metadata.deletionTimestamp !== undefined, "child deleted too");
      await maps.patch("ns", "nb-child", "merge", { metadata: { finalizers: null } });
    });

    await t.step("Orphan: dependents stay, without the reference; the owner goes", async () => {
      const owner = await configMap(stores, "or-owner");
      const other = await configMap(stores, "or-other");
      await configMap(stores, "or-child", [ownedBy(owner), ownedBy(other)]);
      await configMap(stores, "or-only", [ownedBy(owner)]);
      await maps.delete("ns", "or-owner", { propagationPolicy: "Orphan" });
      await waitFor("owner gone", async () => !(await exists("or-owner")));
      const child = await maps.get("ns", "or-child");
      assertEquals(child.metadata.ownerReferences!.map((r) => r.name), ["or-other"]);
      const only = await maps.get("ns", "or-only");
      assertEquals(only.metadata.ownerReferences, undefined);
      assertEquals(only.metadata.deletionTimestamp, undefined);
    });
  } finally {
    await stopCollector();
  }
});

Deno.test("garbage collector: deleting a Deployment with each propagation policy", async (t) => {
  await using test = await openTestStores(["ns"]);
  const { stores } = test;
  const stop = new AbortController();
  const informers = inProcessInformers(stores, {
    signal: stop.signal,
    logger: silentLogger,
  });
  const common = { signal: stop.signal, logger: silentLogger, informers };
  const running = Promise.all([
    startReplicaSetController(stores, common),
    startDeploymentController(stores, common),
    startGarbageCollectorController(stores, common),
    runFakeKubelet(stores, stop.signal),
  ]);
  const deployments = stores.forKind("apps", "Deployment");
  const count = async (kind: string, group: string, app: string) =>
    (await stores.forKind(group, kind).list("ns", { labelSelector: `app=${app}` })).items.length;
  const deploy = async (name: string) => {
    await deployments.create("ns", {
      metadata: { name },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: [{ name: "c", image: "nginx" }] },
        },
      },
    });
    await waitFor("2 pods", async () => (await count("Pod", "", name)) === 2);
  };
  try {
    await t.step("Background removes ReplicaSets and pods", async () => {
      await deploy("bg");
      await deployments.delete("ns", "bg");
      await waitFor(
        "all gone",
        async () =>
          (await count("ReplicaSet", "apps", "bg")) === 0 && (await count("Pod", "", "bg")) === 0,
      );
    });

    await t.step("Foreground removes pods, then the ReplicaSet, then the Deployment", async () => {
      await deploy("fg");
      await deployments.delete("ns", "fg", { propagationPolicy: "Foreground" });
      await waitFor("all gone", async () =>
        (await deployments.find("ns", "fg")) === undefined &&
        (await count("ReplicaSet", "apps", "fg")) === 0 && (await count("Pod", "", "fg")) === 0);
    });

    await t.step("Orphan keeps the ReplicaSet and its pods", async () => {
      await deploy("or");
      await deployments.delete("ns", "or", { propagationPolicy: "Orphan" });
      await waitFor(
        "deployment gone",
        async () => (await deployments.find("ns", "or")) === undefined,
      );
      const [rs] =
        (await stores.forKind("apps", "ReplicaSet").list("ns", { labelSelector: "app=or" }))
          .items;
      assertEquals(rs.metadata.ownerReferences, undefined);
      assertEquals(rs.metadata.deletionTimestamp, undefined);
      assertEquals(await count("Pod", "", "or"), 2);
    });
  } finally {
    stop.abort();
    await running;
    await informers.stopped();
  }
});
