import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { waitFor } from "../../tests/helpers/wait.ts";
import type { KubeObject } from "../../kube/types.ts";
import { openTestStores } from "../../tests/helpers/stores.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import { watchStore } from "../apiserver/store_watch.ts";
import { silentLogger } from "../log.ts";
import { startDeploymentController } from "./deployment.ts";
import { REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION } from "./deployment_revisions.ts";
import { getCondition } from "./deployment_status.ts";
import { POD_TEMPLATE_HASH_LABEL } from "./pod_template_hash.ts";
import { startReplicaSetController } from "./replicaset.ts";
import { inProcessInformers } from "../apiserver/in_process_list_watch.ts";
import { runFakeKubelet } from "./_test_pods.ts";
import { isPodReady } from "./pod_state.ts";

function deployment(name: string, replicas: number, image: string): KubeObject {
  return {
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "web", image }] },
      },
    },
  };
}

/** Controllers over shared caches plus a kubelet stand-in; stop with the returned function. */
function startControllers(
  stores: StoreSet,
  options: { now?: () => number; ready?: (pod: KubeObject) => boolean } = {},
) {
  const stop = new AbortController();
  const informers = inProcessInformers(stores, {
    signal: stop.signal,
    logger: silentLogger,
  });
  const common = { signal: stop.signal, logger: silentLogger, informers, now: options.now };
  const running = Promise.all([
    startReplicaSetController(stores, common),
    startDeploymentController(stores, common),
    runFakeKubelet(stores, stop.signal, options.ready),
  ]);
  return async () => {
    stop.abort();
    await running;
    await informers.stopped();
  };
}

/** What `kubectl rollout status` waits for. */
async function rolledOut(stores: StoreSet, name: string): Promise<KubeObject> {
  return await waitFor(`deployment ${name} rolled out`, async () => {
    const d = await stores.forKind("apps", "Deployment").get("ns", name);
    const s = d.status ?? {};
    const done = (s.observedGeneration ?? 0) >= d.metadata.generation! &&
      s.updatedReplicas === d.spec.replicas && s.replicas === d.spec.replicas &&
      s.availableReplicas === d.spec.replicas &&
      getCondition(s, "Progressing")?.reason === "NewReplicaSetAvailable";
    return done && d;
  }, 20_000);
}

async function replicaSetsOf(stores: StoreSet, app: string): Promise<KubeObject[]> {
  const list = await stores.forKind("apps", "ReplicaSet").list("ns", {
    labelSelector: `app=${app}`,
  });
  return list.items;
}

/**
 * Follows pods of `app` from a list and then a watch, recording the fewest available (ready, not
 * terminating) ever seen — what a user watching `kubectl get pods -w` would see.
 */
async function watchAvailability(stores: StoreSet, app: string) {
  const pods = stores.forKind("", "Pod");
  const stop = new AbortController();
  const available = new Map<string, boolean>();
  const count = () => [...available.values()].filter(Boolean).length;
  const list = await pods.list("ns", { labelSelector: `app=${app}` });
  for (const pod of list.items) {
    available.set(pod.metadata.uid!, isPodReady(pod) && !pod.metadata.deletionTimestamp);
  }
  let min = count();
  let events = 0;
  const done = (async () => {
    for await (
      const event of watchStore(pods, stores.deps.backend, "ns", {
        resourceVersion: list.metadata.resourceVersion,
        labelSelector: `app=${app}`,
        signal: stop.signal,
      })
    ) {
      const pod = event.object;
      if (event.type === "DELETED") available.delete(pod.metadata.uid!);
      else available.set(pod.metadata.uid!, isPodReady(pod) && !pod.metadata.deletionTimestamp);
      events++;
      min = Math.min(min, count());
    }
  })().catch(() => {});
  return {
    async stop() {
      stop.abort();
      await done;
      return { min, events };
    },
  };
}

Deno.test("deployment: rolling update, undo, scale, pause", async (t) => {
  await using test = await openTestStores(["ns"]);
  const { stores } = test;
  const deployments = stores.forKind("apps", "Deployment");
  const stopControllers = startControllers(stores);
  try {
    await deployments.create("ns", deployment("web", 4, "nginx:1"));

    await t.step(
      "first rollout: one ReplicaSet named by the template hash, revision 1",
      async () => {
        const d = await rolledOut(stores, "web");
        const [rs] = await replicaSetsOf(stores, "web");
        const hash = rs.metadata.labels![POD_TEMPLATE_HASH_LABEL];
        assert(hash && rs.metadata.name === `web-${hash}`, rs.metadata.name);
        assertEquals(rs.spec.selector.matchLabels[POD_TEMPLATE_HASH_LABEL], hash);
        assertEquals(rs.spec.template.metadata.labels[POD_TEMPLATE_HASH_LABEL], hash);
        assertEquals(rs.metadata.annotations![REVISION_ANNOTATION], "1");
        assertEquals(d.metadata.annotations![REVISION_ANNOTATION], "1");
        assertEquals(getCondition(d.status, "Available")?.status, "True");
        assertEquals(d.status.unavailableReplicas, 0);
      },
    );

    await t.step("set image: never fewer than replicas - maxUnavailable available", async () => {
      const watch = await watchAvailability(stores, "web");
      await deployments.patch("ns", "web", "strategic", {
        spec: { template: { spec: { containers: [{ name: "web", image: "nginx:2" }] } } },
      });
      const d = await rolledOut(stores, "web");
      const { min, events } = await watch.stop();
      assert(events > 8, `saw the rollout (${events} events)`);
      assertEquals(min >= 3, true, `fewest available was ${min}`);
      const sets = await replicaSetsOf(stores, "web");
      assertEquals(sets.length, 2);
      const current = sets.find((rs) => rs.spec.template.spec.containers[0].image === "nginx:2")!;
      const previous = sets.find((rs) => rs !== current)!;
      assertEquals(current.spec.replicas, 4);
      assertEquals(previous.spec.replicas, 0);
      assertEquals(current.metadata.annotations![REVISION_ANNOTATION], "2");
      assertEquals(d.metadata.annotations![REVISION_ANNOTATION], "2");
      const pods = await stores.forKind("", "Pod").list("ns", { labelSelector: "app=web" });
      assertEquals(pods.items.length, 4);
      assert(pods.items.every((p) => p.spec.containers[0].image === "nginx:2"));
    });

    await t.step(
      "rollout undo (a patch of the template) returns to the old ReplicaSet",
      async () => {
        // What `kubectl rollout undo` does: the previous revision's template, hash label removed.
        const sets = await replicaSetsOf(stores, "web");
        const previous = sets.find((rs) => rs.metadata.annotations![REVISION_ANNOTATION] === "1")!;
        const template = structuredClone(previous.spec.template);
        delete template.metadata.labels[POD_TEMPLATE_HASH_LABEL];
        await deployments.patch("ns", "web", "json", [
          { op: "replace", path: "/spec/template", value: template },
        ]);
        await rolledOut(stores, "web");
        const after = await replicaSetsOf(stores, "web");
        assertEquals(after.length, 2, "no third ReplicaSet");
        const back = after.find((rs) => rs.metadata.name === previous.metadata.name)!;
        assertEquals(back.spec.replicas, 4);
        assertEquals(back.metadata.annotations![REVISION_ANNOTATION], "3");
        assertEquals(back.metadata.annotations![REVISION_HISTORY_ANNOTATION], "1");
        const pods = await stores.forKind("", "Pod").list("ns", { labelSelector: "app=web" });
        assert(pods.items.every((p) => p.spec.containers[0].image === "nginx:1"));
      },
    );

    await t.step("scale up and down", async () => {
      await deployments.patch("ns", "web", "merge", { spec: { replicas: 6 } });
      await rolledOut(stores, "web");
      await deployments.patch("ns", "web", "merge", { spec: { replicas: 2 } });
      await rolledOut(stores, "web");
      const pods = await stores.forKind("", "Pod").list("ns", { labelSelector: "app=web" });
      assertEquals(pods.items.length, 2);
    });

    await t.step("paused: a template change waits until resumed", async () => {
      await deployments.patch("ns", "web", "merge", { spec: { paused: true } });
      await waitFor("paused condition", async () => {
        const d = await deployments.get("ns", "web");
        return getCondition(d.status, "Progressing")?.reason === "DeploymentPaused";
      });
      await deployments.patch("ns", "web", "strategic", {
        spec: { template: { spec: { containers: [{ name: "web", image: "nginx:3" }] } } },
      });
      await waitFor("generation observed", async () => {
        const d = await deployments.get("ns", "web");
        return d.status.observedGeneration === d.metadata.generation;
      });
      assertEquals(
        (await replicaSetsOf(stores, "web")).length,
        2,
        "no new ReplicaSet while paused",
      );
      await deployments.patch("ns", "web", "merge", { spec: { paused: false } });
      const d = await rolledOut(stores, "web");
      assertEquals(d.metadata.annotations![REVISION_ANNOTATION], "4");
      assertEquals((await replicaSetsOf(stores, "web")).length, 3);
    });

    await t.step("revisionHistoryLimit prunes old, empty ReplicaSets", async () => {
      await deployments.patch("ns", "web", "merge", { spec: { revisionHistoryLimit: 1 } });
      await deployments.patch("ns", "web", "strategic", {
        spec: { template: { spec: { containers: [{ name: "web", image: "nginx:4" }] } } },
      });
      await rolledOut(stores, "web");
      const sets = await waitFor("pruned to 1 old", async () => {
        const sets = await replicaSetsOf(stores, "web");
        return sets.length === 2 && sets;
      });
      const revisions = sets.map((rs) => rs.metadata.annotations![REVISION_ANNOTATION]).sort();
      assertEquals(revisions, ["4", "5"]);
    });
  } finally {
    await stopControllers();
  }
});

Deno.test("deployment: Recreate stops every old pod before starting new ones", async () => {
  await using test = await openTestStores(["ns"]);
  const { stores } = test;
  const stopControllers = startControllers(stores);
  try {
    const spec = deployment("db", 3, "postgres:16");
    spec.spec.strategy = { type: "Recreate" };
    await stores.forKind("apps", "Deployment").create("ns", spec);
    const d = await rolledOut(stores, "db");
    const stop = new AbortController();
    const images = new Map<string, string>();
    let mixed = false;
    const watching = (async () => {
      for await (
        const event of watchStore(stores.forKind("", "Pod"), stores.deps.backend, "ns", {
          resourceVersion: d.metadata.resourceVersion,
          labelSelector: "app=db",
          signal: stop.signal,
        })
      ) {
        if (event.type === "DELETED") images.delete(event.object.metadata.uid!);
        else images.set(event.object.metadata.uid!, event.object.spec.containers[0].image);
        if (new Set(images.values()).size > 1) mixed = true;
      }
    })().catch(() => {});
    await stores.forKind("apps", "Deployment").patch("ns", "db", "strategic", {
      spec: { template: { spec: { containers: [{ name: "web", image: "postgres:17" }] } } },
    });
    await rolledOut(stores, "db");
    stop.abort();
    await watching;
    assertEquals(mixed, false, "old and new pods never ran together");
    assertEquals([...new Set(images.values())], ["postgres:17"]);
  } finally {
    await stopControllers();
  }
});

Deno.test("deployment: no progress within the deadline is reported", async () => {
  await using test = await openTestStores(["ns"]);
  const { stores } = test;
  let clock = Date.now();
  // Pods of the new template never become ready.
  const stopControllers = startControllers(stores, {
    now: () => clock,
    ready: (pod) => pod.spec.containers[0].image !== "broken",
  });
  try {
    const spec = deployment("api", 2, "good");
    spec.spec.progressDeadlineSeconds = 60;
    const deployments = stores.forKind("apps", "Deployment");
    await deployments.create("ns", spec);
    await rolledOut(stores, "api");
    await deployments.patch("ns", "api", "strategic", {
      spec: { template: { spec: { containers: [{ name: "web", image: "broken" }] } } },
    });
    // Stuck: two new pods that never get ready, one old pod left (maxSurge 1, maxUnavailable 1).
    await waitFor("stuck rollout", async () => {
      const d = await deployments.get("ns", "api");
      return getCondition(d.status, "Progressing")?.reason === "ReplicaSetUpdated" &&
        d.status.updatedReplicas === 2 && d.status.replicas === 3;
    });
    clock += 120_000;
    // Any event makes the controller look again with the new clock.
    await deployments.patch("ns", "api", "merge", { metadata: { labels: { poke: "1" } } });
    const d = await waitFor("deadline exceeded", async () => {
      const d = await deployments.get("ns", "api");
      const progressing = getCondition(d.status, "Progressing");
      return progressing?.reason === "ProgressDeadlineExceeded" && d;
    });
    const progressing = getCondition(d.status, "Progressing")!;
    assertEquals(progressing.status, "False");
    assert(/has timed out progressing/.test(progressing.message), progressing.message);
    // maxUnavailable 1 of 2: one old pod keeps serving.
    assertEquals(d.status.availableReplicas >= 1, true);
  } finally {
    await stopControllers();
  }
});

Deno.test("deployment: a restart mid-rollout finishes without duplicate or lost pods", async () => {
  await using test = await openTestStores(["ns"]);
  let allowNew = false;
  const ready = (pod: KubeObject) => pod.spec.containers[0].image === "v1" || allowNew;
  let stopControllers = startControllers(test.stores, { ready });
  const spec = deployment("api", 6, "v1");
  spec.spec.strategy.rollingUpdate = { maxSurge: 2, maxUnavailable: 0 };
  await test.stores.forKind("apps", "Deployment").create("ns", spec);
  await rolledOut(test.stores, "api");
  await test.stores.forKind("apps", "Deployment").patch("ns", "api", "strategic", {
    spec: { template: { spec: { containers: [{ name: "web", image: "v2" }] } } },
  });
  // Stalled half-way: two surge pods of v2 that are not ready yet.
  await waitFor("rollout under way", async () => {
    const pods = await test.stores.forKind("", "Pod").list("ns", { labelSelector: "app=api" });
    return pods.items.filter((p) => p.spec.containers[0].image === "v2").length === 2;
  });
  await stopControllers();

  const stores = await test.reopen();
  allowNew = true;
  stopControllers = startControllers(stores, { ready });
  try {
    await rolledOut(stores, "api");
    const pods = await stores.forKind("", "Pod").list("ns", { labelSelector: "app=api" });
    assertEquals(pods.items.length, 6);
    assert(pods.items.every((p) => p.spec.containers[0].image === "v2"));
    assertEquals((await replicaSetsOf(stores, "api")).length, 2);
  } finally {
    await stopControllers();
  }
});
