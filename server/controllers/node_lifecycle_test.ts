import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { runLoop } from "../../tests/helpers/loops.ts";
import { openTestStores } from "../../tests/helpers/stores.ts";
import { waitFor } from "../../tests/helpers/wait.ts";
import { NODE_TAINTS, type Taint } from "../../kube/taints.ts";
import type { KubeObject } from "../../kube/types.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import { timestamp } from "../apiserver/object_meta.ts";
import { silentLogger } from "../log.ts";
import { microTime } from "../apiserver/object_meta.ts";
import { lifecycleTaints, startNodeLifecycle, withLifecycleTaints } from "./node_lifecycle.ts";

const GRACE_MS = 300;

function nodeConditions(ready: "True" | "False") {
  const now = timestamp();
  const condition = (type: string, status: string, reason: string) => ({
    type,
    status,
    reason,
    message: reason,
    lastHeartbeatTime: now,
    lastTransitionTime: now,
  });
  return [
    condition("MemoryPressure", "False", "KubeletHasSufficientMemory"),
    condition("DiskPressure", "False", "KubeletHasNoDiskPressure"),
    condition("PIDPressure", "False", "KubeletHasSufficientPID"),
    condition("Ready", ready, ready === "True" ? "KubeletReady" : "KubeletNotReady"),
  ];
}

/** Posts node status and renews the lease, as a kubelet's heartbeat does. */
async function heartbeat(stores: StoreSet, name: string, ready: "True" | "False" = "True") {
  await stores.forKind("", "Node").updateWith(undefined, name, (node) => {
    node.status = { ...node.status, conditions: nodeConditions(ready) };
    return node;
  }, { subresource: "status" });
  const leases = stores.forKind("coordination.k8s.io", "Lease");
  const lease = {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { name, namespace: "kube-node-lease" },
    spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime() },
  };
  if (await leases.find("kube-node-lease", name)) {
    await leases.updateWith("kube-node-lease", name, (current) => {
      current.spec = lease.spec;
      return current;
    });
  } else await leases.create("kube-node-lease", lease);
}

async function createNode(stores: StoreSet, name: string): Promise<void> {
  await stores.forKind("", "Node").create(undefined, {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name },
    status: { conditions: nodeConditions("True") },
  });
  await heartbeat(stores, name);
}

async function runningPod(
  stores: StoreSet,
  name: string,
  nodeName: string,
  tolerations: unknown[] = [],
): Promise<void> {
  const pods = stores.forKind("", "Pod");
  await pods.create("default", {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: { nodeName, tolerations, containers: [{ name: "c", image: "nginx" }] },
  });
  await pods.updateWith("default", name, (pod) => {
    pod.status = {
      ...pod.status,
      phase: "Running",
      conditions: [{ type: "Ready", status: "True", lastTransitionTime: timestamp() }],
    };
    return pod;
  }, { subresource: "status" });
}

function startLifecycle(stores: StoreSet) {
  return runLoop((signal) =>
    startNodeLifecycle(stores, {
      signal,
      logger: silentLogger,
      gracePeriodMs: GRACE_MS,
      retryMs: 20,
    })
  );
}

function taintIds(node: KubeObject | undefined): string[] {
  return ((node?.spec?.taints ?? []) as Taint[]).map((t) => `${t.key}:${t.effect}`).sort();
}

function condition(node: KubeObject | undefined, type: string) {
  return (node?.status?.conditions ?? []).find((c: { type: string }) => c.type === type);
}

Deno.test("lifecycle taints: from the Ready condition, pressure and unschedulable; others kept", () => {
  const node = (ready: string, extra: Record<string, unknown> = {}): KubeObject => ({
    metadata: { name: "a" },
    spec: extra,
    status: {
      conditions: [{ type: "Ready", status: ready }, { type: "DiskPressure", status: "True" }],
    },
  });
  assertEquals(lifecycleTaints(node("True")).map((t) => `${t.key}:${t.effect}`), [
    "node.kubernetes.io/disk-pressure:NoSchedule",
  ]);
  assertEquals(
    lifecycleTaints(node("False", { unschedulable: true })).map((t) => `${t.key}:${t.effect}`),
    [
      "node.kubernetes.io/not-ready:NoSchedule",
      "node.kubernetes.io/not-ready:NoExecute",
      "node.kubernetes.io/disk-pressure:NoSchedule",
      "node.kubernetes.io/unschedulable:NoSchedule",
    ],
  );
  const current: Taint[] = [
    { key: "dedicated", value: "gpu", effect: "NoSchedule" },
    { key: NODE_TAINTS.unreachable, effect: "NoExecute", timeAdded: "2020-01-01T00:00:00Z" },
    { key: NODE_TAINTS.notReady, effect: "NoSchedule" },
  ];
  const next = withLifecycleTaints(
    current,
    lifecycleTaints(node("Unknown")).filter((t) => t.key === NODE_TAINTS.unreachable),
    Date.parse("2024-05-01T10:00:00Z"),
  );
  assertEquals(next, [
    { key: "dedicated", value: "gpu", effect: "NoSchedule" },
    { key: NODE_TAINTS.unreachable, effect: "NoExecute", timeAdded: "2020-01-01T00:00:00Z" },
    { key: NODE_TAINTS.unreachable, effect: "NoSchedule", timeAdded: "2024-05-01T10:00:00Z" },
  ]);
});

Deno.test("node lifecycle: a silent node turns Unknown and unreachable; a heartbeat brings it back", async () => {
  await using test = await openTestStores(["kube-node-lease"]);
  const stores = test.stores;
  const nodes = stores.forKind("", "Node");
  await createNode(stores, "a");
  await using _lifecycle = startLifecycle(stores);

  const unknown = await waitFor("node a Unknown", async () => {
    const node = await nodes.get(undefined, "a");
    return condition(node, "Ready")?.status === "Unknown" && taintIds(node).length === 2 && node;
  });
  const ready = condition(unknown, "Ready");
  assertEquals(ready.reason, "NodeStatusUnknown");
  assertEquals(ready.message, "Kubelet stopped posting node status.");
  assertEquals(condition(unknown, "MemoryPressure").status, "Unknown");
  assertEquals(taintIds(unknown), [
    "node.kubernetes.io/unreachable:NoExecute",
    "node.kubernetes.io/unreachable:NoSchedule",
  ]);
  for (const taint of unknown.spec.taints as Taint[]) assert(taint.timeAdded, "timeAdded set");

  await heartbeat(stores, "a");
  const back = await waitFor("node a Ready and untainted", async () => {
    const node = await nodes.get(undefined, "a");
    return condition(node, "Ready")?.status === "True" && taintIds(node).length === 0 && node;
  });
  assertEquals(back.spec.taints, undefined);
});

Deno.test("node lifecycle: a node reporting Ready=False gets the not-ready taints", async () => {
  await using test = await openTestStores(["kube-node-lease"]);
  const stores = test.stores;
  await createNode(stores, "a");
  await using _lifecycle = startLifecycle(stores);
  await heartbeat(stores, "a", "False");
  const node = await waitFor("not-ready taints", async () => {
    const node = await stores.forKind("", "Node").get(undefined, "a");
    return taintIds(node).length === 2 && node;
  });
  assertEquals(taintIds(node), [
    "node.kubernetes.io/not-ready:NoExecute",
    "node.kubernetes.io/not-ready:NoSchedule",
  ]);
  assertEquals(condition(node, "Ready").reason, "KubeletNotReady", "as the node reported it");
});

Deno.test("node lifecycle: pods on an unreachable node go not ready, then are evicted after their toleration", async () => {
  await using test = await openTestStores(["kube-node-lease", "default"]);
  const stores = test.stores;
  const pods = stores.forKind("", "Pod");
  await createNode(stores, "a");
  const shortToleration = {
    key: NODE_TAINTS.unreachable,
    operator: "Exists",
    effect: "NoExecute",
    tolerationSeconds: 1,
  };
  await runningPod(stores, "short", "a", [shortToleration]);
  await runningPod(stores, "default-tolerations", "a");
  await runningPod(stores, "forever", "a", [{ operator: "Exists" }]);
  await using _lifecycle = startLifecycle(stores);

  const evicted = await waitFor(
    "the pod with the 1 s toleration evicted",
    async () => {
      const pod = await pods.get("default", "short");
      return pod.metadata.deletionTimestamp !== undefined && pod;
    },
  );
  assertEquals(condition(evicted, "Ready").status, "False", "marked not ready first");
  const stays = await pods.get("default", "default-tolerations");
  assertEquals(stays.metadata.deletionTimestamp, undefined, "300 s have not passed");
  await waitFor("the others marked not ready", async () => {
    const [a, b] = await Promise.all([
      pods.get("default", "default-tolerations"),
      pods.get("default", "forever"),
    ]);
    return condition(a, "Ready").status === "False" && condition(b, "Ready").status === "False";
  });
  assertEquals((await pods.get("default", "forever")).metadata.deletionTimestamp, undefined);

  // A NoExecute taint nobody tolerates evicts at once; the unbounded toleration covers it.
  await stores.forKind("", "Node").updateWith(undefined, "a", (current) => {
    current.spec.taints = [...current.spec.taints, { key: "example.com/x", effect: "NoExecute" }];
    return current;
  });
  await waitFor("the default-toleration pod evicted by the new taint", async () => {
    const pod = await pods.get("default", "default-tolerations");
    return pod.metadata.deletionTimestamp !== undefined;
  });
  assertEquals((await pods.get("default", "forever")).metadata.deletionTimestamp, undefined);

  const events = await waitFor("the events recorded", async () => {
    const list = await stores.forKind("", "Event").list("default");
    const reasons = list.items.map((e) => `${e.involvedObject.name}/${e.reason}`);
    return reasons.includes("short/TaintManagerEviction") &&
      reasons.includes("short/NodeNotReady") &&
      list.items;
  });
  const eviction = events.find((e) =>
    e.reason === "TaintManagerEviction" && e.involvedObject.name === "short"
  )!;
  assertEquals(eviction.message, "Marking for deletion Pod default/short");
  assertEquals(eviction.source, { component: "node-controller" });
});
