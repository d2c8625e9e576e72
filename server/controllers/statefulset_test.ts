import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { runLoop } from "../../tests/helpers/loops.ts";
import { openTestStores } from "../../tests/helpers/stores.ts";
import { waitFor } from "../../tests/helpers/wait.ts";
import type { KubeObject } from "../../kube/types.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import { silentLogger } from "../log.ts";
import { runFakeKubelet, setPodReady } from "./_test_pods.ts";
import { controllerRefOf } from "./controller_ref.ts";
import { startStatefulSetController } from "./statefulset.ts";
import { REVISION_HASH_LABEL, revisionTemplate } from "./controller_history.ts";
import { POD_INDEX_LABEL, POD_NAME_LABEL, STATEFUL_SET_TYPE } from "./statefulset_identity.ts";
import { planStatefulSet, statefulSetStatus, type StatefulSetStep } from "./statefulset_plan.ts";
import {
  newRevision,
  resolveRevisions,
  revisionName,
  truncateHistory,
} from "./statefulset_revisions.ts";

// ---------------------------------------------------------------------------------------------
// Decisions, without I/O

interface SetOptions {
  replicas?: number;
  policy?: "OrderedReady" | "Parallel";
  start?: number;
  partition?: number;
  maxUnavailable?: number | string;
  onDelete?: boolean;
}

function set(options: SetOptions = {}): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "web", namespace: "ns", uid: "set-uid", generation: 1 },
    spec: {
      replicas: options.replicas ?? 3,
      podManagementPolicy: options.policy ?? "OrderedReady",
      ordinals: options.start === undefined ? undefined : { start: options.start },
      updateStrategy: options.onDelete ? { type: "OnDelete" } : {
        type: "RollingUpdate",
        rollingUpdate: {
          partition: options.partition ?? 0,
          ...(options.maxUnavailable === undefined
            ? {}
            : { maxUnavailable: options.maxUnavailable }),
        },
      },
    },
  };
}

type PodState = "ready" | "pending" | "failed" | "terminating";

function pod(ordinal: number, state: PodState = "ready", revision = "web-a"): KubeObject {
  const ready = state === "ready" || state === "terminating";
  return {
    metadata: {
      name: `web-${ordinal}`,
      namespace: "ns",
      uid: `uid-${ordinal}`,
      labels: { [REVISION_HASH_LABEL]: revision },
      ...(state === "terminating" ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}),
    },
    status: {
      phase: state === "failed" ? "Failed" : state === "pending" ? "Pending" : "Running",
      conditions: [{ type: "Ready", status: ready ? "True" : "False" }],
    },
  };
}

function plan(s: KubeObject, pods: KubeObject[], update = "web-a", current = "web-a") {
  return planStatefulSet({
    set: s,
    pods,
    currentRevision: current,
    updateRevision: update,
    now: Date.now(),
  });
}

/** Steps as short strings: `+2` creates ordinal 2, `-web-2` deletes that pod. */
function steps(list: StatefulSetStep[]): string[] {
  return list.map((s) =>
    s.kind === "create"
      ? `+${s.ordinal}${s.fromCurrent ? "(current)" : ""}`
      : `-${s.pod.metadata.name}`
  );
}

Deno.test("statefulset plan: OrderedReady creates one ordinal once all before it are ready", () => {
  assertEquals(steps(plan(set(), []).replicas), ["+0"]);
  const waiting = plan(set(), [pod(0, "pending")]);
  assertEquals(steps(waiting.replicas), []);
  assert(waiting.waiting?.includes("web-0"), waiting.waiting);
  assertEquals(steps(plan(set(), [pod(0)]).replicas), ["+1"]);
  assertEquals(steps(plan(set(), [pod(0), pod(1)]).replicas), ["+2"]);
  // A gap is filled first, and nothing above a pod that is not ready is touched.
  assertEquals(steps(plan(set(), [pod(1), pod(2)]).replicas), ["+0"]);
  assertEquals(steps(plan(set(), [pod(0), pod(1, "terminating")]).replicas), []);
  const done = plan(set(), [pod(0), pod(1), pod(2)]);
  assertEquals([...done.replicas, ...done.condemned, ...done.update], []);
  assertEquals(done.waiting, undefined);
});

Deno.test("statefulset plan: ordinals start at spec.ordinals.start", () => {
  assertEquals(steps(plan(set({ start: 5 }), []).replicas), ["+5"]);
  // web-0 is outside [5, 8): it is condemned once the replicas are ready.
  const shifted = plan(set({ start: 5, replicas: 1 }), [pod(0), pod(5)]);
  assertEquals(steps(shifted.condemned), ["-web-0"]);
});

Deno.test("statefulset plan: Parallel creates every missing ordinal at once", () => {
  assertEquals(steps(plan(set({ policy: "Parallel" }), []).replicas), ["+0", "+1", "+2"]);
  assertEquals(
    steps(plan(set({ policy: "Parallel" }), [pod(1, "pending")]).replicas),
    ["+0", "+2"],
  );
});

Deno.test("statefulset plan: OrderedReady scales down from the highest ordinal, one at a time", () => {
  const pods = [pod(0), pod(1), pod(2)];
  const first = plan(set({ replicas: 1 }), pods);
  assertEquals(steps(first.condemned), ["-web-2"]);
  // While web-2 terminates, web-1 waits.
  const second = plan(set({ replicas: 1 }), [pod(0), pod(1), pod(2, "terminating")]);
  assertEquals(steps(second.condemned), []);
  assert(second.waiting?.includes("web-2"), second.waiting);
  assertEquals(steps(plan(set({ replicas: 1 }), [pod(0), pod(1)]).condemned), ["-web-1"]);
  // Nothing goes while a remaining replica is not ready.
  assertEquals(steps(plan(set({ replicas: 1 }), [pod(0, "pending"), pod(1)]).condemned), []);
  // An unhealthy pod above the lowest unhealthy one blocks; the lowest may go.
  assertEquals(
    steps(plan(set({ replicas: 1 }), [pod(0), pod(1, "pending"), pod(2, "pending")]).condemned),
    [],
  );
  assertEquals(
    steps(plan(set({ replicas: 1 }), [pod(0), pod(1, "pending")]).condemned),
    ["-web-1"],
  );
});

Deno.test("statefulset plan: Parallel scales down all at once", () => {
  const pods = [pod(0), pod(1, "pending"), pod(2)];
  assertEquals(steps(plan(set({ replicas: 1, policy: "Parallel" }), pods).condemned), [
    "-web-2",
    "-web-1",
  ]);
});

Deno.test("statefulset plan: a finished replica is deleted to be made again", () => {
  const p = plan(set(), [pod(0), pod(1, "failed"), pod(2)]);
  assertEquals(steps(p.replicas), ["-web-1"]);
  assertEquals(p.replicas[0].kind === "delete" && p.replicas[0].why, "finished");
  assertEquals(steps(plan(set(), [pod(0), pod(2)]).replicas), ["+1"]);
});

Deno.test("statefulset plan: RollingUpdate replaces from the highest ordinal, waiting for health", () => {
  const old = [pod(0), pod(1), pod(2)];
  assertEquals(steps(plan(set(), old, "web-b").update), ["-web-2"]);
  // web-2 is back at the new revision but not ready: wait.
  const notReady = plan(set(), [pod(0), pod(1), pod(2, "pending", "web-b")], "web-b");
  assertEquals([...notReady.replicas, ...notReady.update], []);
  assertEquals(
    steps(plan(set(), [pod(0), pod(1), pod(2, "ready", "web-b")], "web-b").update),
    ["-web-1"],
  );
  // Recreated pods get the update revision.
  const recreate = plan(set(), [pod(0), pod(2, "ready", "web-b")], "web-b");
  assertEquals(steps(recreate.replicas), ["+1"]);
});

Deno.test("statefulset plan: partition keeps lower ordinals at the current revision", () => {
  const s = set({ partition: 2 });
  assertEquals(steps(plan(s, [pod(0), pod(1), pod(2)], "web-b").update), ["-web-2"]);
  assertEquals(
    steps(plan(s, [pod(0), pod(1), pod(2, "ready", "web-b")], "web-b").update),
    [],
  );
  // A lost pod below the partition is made again from the current revision.
  assertEquals(
    steps(plan(s, [pod(1), pod(2, "ready", "web-b")], "web-b", "web-a").replicas),
    ["+0(current)"],
  );
});

Deno.test("statefulset plan: maxUnavailable bounds the pods replaced at once", () => {
  const pods = [pod(0), pod(1), pod(2), pod(3)];
  assertEquals(
    steps(plan(set({ replicas: 4, maxUnavailable: 2, policy: "Parallel" }), pods, "web-b").update),
    ["-web-3", "-web-2"],
  );
  assertEquals(
    steps(plan(set({ replicas: 4, maxUnavailable: "50%" }), pods, "web-b").update),
    ["-web-3", "-web-2"],
  );
  // One already unavailable uses up part of the budget.
  const parallel = set({ replicas: 4, maxUnavailable: 2, policy: "Parallel" });
  assertEquals(
    steps(plan(parallel, [pod(0, "pending"), pod(1), pod(2), pod(3)], "web-b").update),
    ["-web-3"],
  );
});

Deno.test("statefulset plan: OnDelete leaves old pods alone; a deleting set makes nothing", () => {
  const onDelete = plan(set({ onDelete: true }), [pod(0), pod(1), pod(2)], "web-b");
  assertEquals(onDelete.update, []);
  const deleting = set();
  deleting.metadata.deletionTimestamp = "2026-01-01T00:00:00Z";
  assertEquals(plan(deleting, []).replicas, []);
});

Deno.test("statefulset status: counts by revision and completes a rolling update", () => {
  const status = (pods: KubeObject[]) =>
    statefulSetStatus({
      set: set(),
      pods,
      currentRevision: "web-a",
      updateRevision: "web-b",
      collisionCount: 0,
      now: Date.now(),
    });
  const midway = status([pod(0), pod(1, "ready", "web-b"), pod(2, "pending", "web-b")]);
  assertEquals(midway, {
    observedGeneration: 1,
    replicas: 3,
    readyReplicas: 2,
    currentReplicas: 1,
    updatedReplicas: 2,
    currentRevision: "web-a",
    updateRevision: "web-b",
    collisionCount: 0,
    availableReplicas: 2,
  });
  const done = status([0, 1, 2].map((i) => pod(i, "ready", "web-b")));
  assertEquals(done.currentRevision, "web-b");
  assertEquals(done.currentReplicas, 3);
  assertEquals(done.updatedReplicas, 3);
});

// ---------------------------------------------------------------------------------------------
// The controller over real stores

function statefulSet(name: string, replicas: number, extra: Record<string, unknown> = {}) {
  return {
    metadata: { name },
    spec: {
      replicas,
      serviceName: `${name}-svc`,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "web", image: "nginx:1.27" }] },
      },
      ...extra,
    },
  };
}

async function podsOf(stores: StoreSet, app: string): Promise<KubeObject[]> {
  const list = await stores.forKind("", "Pod").list("ns", { labelSelector: `app=${app}` });
  return list.items.sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
}

function startController(stores: StoreSet): AsyncDisposable {
  return runLoop((signal) => startStatefulSetController(stores, { signal, logger: silentLogger }));
}

Deno.test("statefulset controller: identity, claims, revisions, events, scale and update", async (t) => {
  await using test = await openTestStores(["ns"]);
  const { stores } = test;
  await using _controller = startController(stores);
  await using _kubelet = runLoop((signal) => runFakeKubelet(stores, signal));
  const sets = stores.forKind("apps", "StatefulSet");
  const { object: created } = await sets.create(
    "ns",
    statefulSet("db", 2, {
      volumeClaimTemplates: [{
        metadata: { name: "data" },
        spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
      }],
    }),
  );

  await t.step("pods with stable identity and their claims", async () => {
    const pods = await waitFor("db-0 and db-1", async () => {
      const pods = await podsOf(stores, "db");
      return pods.length === 2 && pods;
    });
    assertEquals(pods.map((p) => p.metadata.name), ["db-0", "db-1"]);
    for (const [i, pod] of pods.entries()) {
      assertEquals(pod.spec?.hostname, `db-${i}`);
      assertEquals(pod.spec?.subdomain, "db-svc");
      assertEquals(pod.metadata.labels?.[POD_NAME_LABEL], `db-${i}`);
      assertEquals(pod.metadata.labels?.[POD_INDEX_LABEL], String(i));
      assert(pod.metadata.labels?.[REVISION_HASH_LABEL]?.startsWith("db-"));
      const ref = controllerRefOf(pod)!;
      assertEquals([ref.kind, ref.uid, ref.blockOwnerDeletion], [
        STATEFUL_SET_TYPE.kind,
        created.metadata.uid,
        true,
      ]);
      const volume = pod.spec?.volumes?.find((v: { name: string }) => v.name === "data");
      assertEquals(volume?.persistentVolumeClaim?.claimName, `data-db-${i}`);
      const claim = await stores.forKind("", "PersistentVolumeClaim").get("ns", `data-db-${i}`);
      assertEquals(claim.metadata.labels?.app, "db");
    }
    const status = await waitFor("status", async () => {
      const s = (await sets.get("ns", "db")).status;
      return s?.readyReplicas === 2 && s;
    });
    assertEquals(status.replicas, 2);
    assertEquals(status.currentRevision, status.updateRevision);
    assertEquals(status.updatedReplicas, 2);
    assertEquals(status.currentReplicas, 2);
    assertEquals(status.collisionCount, 0);
    const revisions = await stores.forKind("apps", "ControllerRevision").list("ns");
    assertEquals(revisions.items.map((r) => r.metadata.name), [status.updateRevision]);
    assertEquals(revisions.items[0].revision, 1);
    const events = await stores.forKind("", "Event").list("ns");
    const messages = events.items.map((e) => `${e.reason}: ${e.message}`);
    assert(messages.includes("SuccessfulCreate: create Pod db-0 in StatefulSet db successful"));
    assert(
      messages.includes(
        "SuccessfulCreate: create Claim data-db-1 Pod db-1 in StatefulSet db success",
      ),
      messages.join("\n"),
    );
  });

  await t.step("a failed replica is made again under its name", async () => {
    const [first] = await podsOf(stores, "db");
    await stores.forKind("", "Pod").updateWith("ns", "db-0", (pod) => {
      pod.status = { ...pod.status, phase: "Failed" };
      return pod;
    }, { subresource: "status" });
    await waitFor("a new db-0", async () => {
      const pods = await podsOf(stores, "db");
      const again = pods.find((p) => p.metadata.name === "db-0");
      return again && again.metadata.uid !== first.metadata.uid &&
        again.status?.phase === "Running";
    });
  });

  await t.step("a template change rolls out and the old revision is kept", async () => {
    const before = (await sets.get("ns", "db")).status!.currentRevision;
    await sets.patch("ns", "db", "merge", {
      spec: { template: { spec: { containers: [{ name: "web", image: "nginx:1.28" }] } } },
    });
    const status = await waitFor("rolled out", async () => {
      const current = await sets.get("ns", "db");
      const s = current.status;
      return s?.observedGeneration === current.metadata.generation && s?.updatedReplicas === 2 &&
        s.readyReplicas === 2 && s.currentRevision === s.updateRevision && s;
    }, 20_000);
    assert(status.updateRevision !== before);
    const pods = await podsOf(stores, "db");
    assertEquals(pods.map((p) => p.spec?.containers[0].image), ["nginx:1.28", "nginx:1.28"]);
    const revisions = await stores.forKind("apps", "ControllerRevision").list("ns");
    assertEquals(revisions.items.length, 2);
  });

  await t.step("scale down removes the highest ordinal; claims are retained", async () => {
    await sets.patch("ns", "db", "merge", { spec: { replicas: 1 } });
    await waitFor("only db-0", async () => {
      const pods = await podsOf(stores, "db");
      return pods.length === 1 && pods[0].metadata.name === "db-0";
    });
    await waitFor(
      "status replicas 1",
      async () => (await sets.get("ns", "db")).status?.replicas === 1,
    );
    await stores.forKind("", "PersistentVolumeClaim").get("ns", "data-db-1");
  });
});

Deno.test("statefulset controller: OrderedReady waits for readiness before the next ordinal", async () => {
  await using test = await openTestStores(["ns"]);
  const { stores } = test;
  await using _controller = startController(stores);
  const sets = stores.forKind("apps", "StatefulSet");
  await sets.create("ns", statefulSet("web", 3));
  const names = async () => (await podsOf(stores, "web")).map((p) => p.metadata.name);
  for (let i = 0; i < 3; i++) {
    await waitFor(`web-${i}`, async () => (await names()).includes(`web-${i}`));
    // Nothing beyond web-i until it is ready.
    assertEquals(await names(), Array.from({ length: i + 1 }, (_, j) => `web-${j}`));
    await setPodReady(stores, { metadata: { namespace: "ns", name: `web-${i}` } }, true);
  }
  await waitFor("3 ready", async () => (await sets.get("ns", "web")).status?.readyReplicas === 3);
});

Deno.test("statefulset controller: Parallel creates every replica without waiting", async () => {
  await using test = await openTestStores(["ns"]);
  const { stores } = test;
  await using _controller = startController(stores);
  await stores.forKind("apps", "StatefulSet").create(
    "ns",
    statefulSet("par", 3, { podManagementPolicy: "Parallel" }),
  );
  // No pod is ever made ready here, yet all three appear.
  await waitFor("3 pods", async () => (await podsOf(stores, "par")).length === 3);
});

// ---------------------------------------------------------------------------------------------
// Revisions

Deno.test("statefulset revisions: create once, renumber on rollback, escape collisions, truncate", async (t) => {
  await using test = await openTestStores(["ns"]);
  const { stores } = test;
  const store = stores.forKind("apps", "ControllerRevision");
  const withImage = (image: string, status: Record<string, unknown> = {}): KubeObject => {
    const s = statefulSet("rev", 1) as KubeObject;
    s.metadata = { ...s.metadata, namespace: "ns", uid: "rev-uid" };
    s.spec.template.spec.containers[0].image = image;
    s.spec.revisionHistoryLimit = 1;
    s.status = status;
    return s;
  };
  /** The revisions the set owns (the collision step adds one it does not). */
  const owned = async () =>
    (await store.list("ns")).items.filter((r) =>
      r.metadata.ownerReferences?.[0]?.uid === "rev-uid"
    );

  await t.step("the first sync makes revision 1; the next finds it", async () => {
    const first = await resolveRevisions(withImage("a"), [], store, "test");
    assertEquals(first.update.revision, 1);
    assertEquals(first.current.metadata.name, first.update.metadata.name);
    assertEquals(first.update.metadata.name, revisionName(withImage("a")));
    const again = await resolveRevisions(withImage("a"), await owned(), store, "test");
    assertEquals(again.update.metadata.uid, first.update.metadata.uid);
    assertEquals(revisionTemplate(again.update).spec.containers[0].image, "a");
  });

  await t.step("a new template is revision 2; going back renumbers revision 1 to 3", async () => {
    const a = revisionName(withImage("a"));
    const b = await resolveRevisions(
      withImage("b", { currentRevision: a }),
      await owned(),
      store,
      "test",
    );
    assertEquals([b.current.metadata.name, b.update.revision], [a, 2]);
    const back = await resolveRevisions(withImage("a"), await owned(), store, "test");
    assertEquals([back.update.metadata.name, back.update.revision], [a, 3]);
    assertEquals((await owned()).length, 2);
  });

  await t.step("a name held by another template counts collisions up", async () => {
    const c = withImage("c");
    await store.create("ns", {
      ...newRevision(withImage("other"), 9),
      metadata: { name: revisionName(c), namespace: "ns" },
    });
    const resolved = await resolveRevisions(c, await owned(), store, "test");
    assertEquals(resolved.collisionCount, 1);
    assertEquals(resolved.update.metadata.name, revisionName(c, 1));
  });

  await t.step("history beyond the limit that nothing uses is deleted, oldest first", async () => {
    const c = withImage("c", { collisionCount: 1 });
    const resolved = await resolveRevisions(c, await owned(), store, "test");
    // a (3), b (2) and c (4): c is live; the limit keeps one of a and b, the newer.
    await truncateHistory(c, resolved, [], store);
    const left = await owned();
    assertEquals(left.map((r) => r.revision).sort(), [3, 4]);
  });
});
