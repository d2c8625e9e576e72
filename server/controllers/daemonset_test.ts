import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { runLoop } from "../../tests/helpers/loops.ts";
import { openTestStores } from "../../tests/helpers/stores.ts";
import { waitFor } from "../../tests/helpers/wait.ts";
import { NODE_TAINTS, type Taint } from "../../kube/taints.ts";
import type { KubeObject } from "../../kube/types.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import { timestamp } from "../apiserver/object_meta.ts";
import { bindPod } from "../apiserver/pod_binding.ts";
import { silentLogger } from "../log.ts";
import { testNode } from "../scheduler/_test_objects.ts";
import { controllerRefOf } from "./controller_ref.ts";
import { FailedPodBackoff } from "./daemonset_backoff.ts";
import { REVISION_HASH_LABEL, revisionData, revisionNumber } from "./controller_history.ts";
import { revisionMatches, revisionsToDelete } from "./daemonset_history.ts";
import { startDaemonSetController } from "./daemonset.ts";
import {
  daemonPodTolerations,
  newDaemonPod,
  nodeShouldRunDaemonPod,
  targetNodeName,
  TEMPLATE_GENERATION_LABEL,
} from "./daemonset_nodes.ts";
import {
  daemonSetCounts,
  type NodePlanInput,
  planNode,
  planRollingUpdate,
  podsByNode,
} from "./daemonset_plan.ts";
import { setPodReady } from "./_test_pods.ts";

// -------------------------------------------------------------------------------------------
// Objects

function daemonSet(name: string, podSpec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name, namespace: "ns", uid: `uid-${name}`, generation: 1 },
    spec: {
      selector: { matchLabels: { app: name } },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "agent", image: "agent:1" }], ...podSpec },
      },
    },
  };
}

function withRollingUpdate(ds: KubeObject, rollingUpdate: Record<string, unknown>): KubeObject {
  return { ...ds, spec: { ...ds.spec, updateStrategy: { type: "RollingUpdate", rollingUpdate } } };
}

const READY_LONG_AGO = "2020-01-01T00:00:00Z";
let created = 0;

/** A daemon pod bound to `node`, of revision `hash`, ready or not. */
function daemonPod(
  node: string,
  hash: string,
  options: { ready?: boolean; phase?: string; name?: string; deleting?: boolean } = {},
): KubeObject {
  const n = ++created;
  return {
    metadata: {
      name: options.name ?? `agent-${n}`,
      namespace: "ns",
      uid: `pod-${n}`,
      creationTimestamp: timestamp(Date.parse("2024-01-01T00:00:00Z") + n * 1000),
      labels: { app: "agent", [REVISION_HASH_LABEL]: hash },
      ...(options.deleting ? { deletionTimestamp: timestamp() } : {}),
    },
    spec: { nodeName: node },
    status: {
      phase: options.phase ?? "Running",
      conditions: [{
        type: "Ready",
        status: options.ready === false ? "False" : "True",
        lastTransitionTime: READY_LONG_AGO,
      }],
    },
  };
}

const runs = { shouldRun: true, shouldContinueRunning: true };
const NOW = Date.parse("2024-06-01T00:00:00Z");

function nodeInput(overrides: Partial<NodePlanInput>): NodePlanInput {
  return {
    fit: runs,
    pods: [],
    hash: "new",
    surge: false,
    minReadySeconds: 0,
    now: NOW,
    mayReplaceFailed: () => true,
    ...overrides,
  };
}

// -------------------------------------------------------------------------------------------
// Eligibility

Deno.test("daemonset eligibility: selectors, affinity and nodeName choose the nodes", () => {
  const node = testNode("n1", { labels: { disk: "ssd", zone: "a" } });
  assertEquals(nodeShouldRunDaemonPod(node, daemonSet("agent")), runs);
  const no = { shouldRun: false, shouldContinueRunning: false };
  assertEquals(
    nodeShouldRunDaemonPod(node, daemonSet("agent", { nodeSelector: { disk: "hdd" } })),
    no,
  );
  assertEquals(
    nodeShouldRunDaemonPod(node, daemonSet("agent", { nodeSelector: { disk: "ssd" } })),
    runs,
  );
  const affinity = (operator: string, values: string[]) => ({
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator, values }] }],
        },
      },
    },
  });
  assertEquals(nodeShouldRunDaemonPod(node, daemonSet("agent", affinity("In", ["b"]))), no);
  assertEquals(nodeShouldRunDaemonPod(node, daemonSet("agent", affinity("NotIn", ["b"]))), runs);
  assertEquals(nodeShouldRunDaemonPod(node, daemonSet("agent", { nodeName: "n2" })), no);
  assertEquals(nodeShouldRunDaemonPod(node, daemonSet("agent", { nodeName: "n1" })), runs);
});

Deno.test("daemonset eligibility: taints against the pod's and the automatic tolerations", () => {
  const on = (...taints: Taint[]) => testNode("n1", { taints });
  const ds = daemonSet("agent");
  // Upstream's automatic tolerations: the node's own agent stays through condition taints.
  for (
    const key of [
      NODE_TAINTS.diskPressure,
      NODE_TAINTS.memoryPressure,
      NODE_TAINTS.pidPressure,
      NODE_TAINTS.unschedulable,
    ]
  ) {
    assertEquals(nodeShouldRunDaemonPod(on({ key, effect: "NoSchedule" }), ds), runs, key);
  }
  assertEquals(
    nodeShouldRunDaemonPod(
      on({ key: NODE_TAINTS.notReady, effect: "NoExecute" }, {
        key: NODE_TAINTS.unreachable,
        effect: "NoExecute",
      }),
      ds,
    ),
    runs,
  );
  // A NoSchedule taint keeps new pods off but lets a running one stay; NoExecute evicts.
  const stays = { shouldRun: false, shouldContinueRunning: true };
  assertEquals(
    nodeShouldRunDaemonPod(on({ key: NODE_TAINTS.notReady, effect: "NoSchedule" }), ds),
    stays,
  );
  assertEquals(nodeShouldRunDaemonPod(on({ key: "dedicated", effect: "NoSchedule" }), ds), stays);
  assertEquals(
    nodeShouldRunDaemonPod(on({ key: "dedicated", effect: "NoExecute" }), ds),
    { shouldRun: false, shouldContinueRunning: false },
  );
  assertEquals(
    nodeShouldRunDaemonPod(on({ key: "dedicated", effect: "PreferNoSchedule" }), ds),
    runs,
  );
  const tolerant = daemonSet("agent", {
    tolerations: [{ key: "dedicated", operator: "Exists" }],
  });
  assertEquals(
    nodeShouldRunDaemonPod(on({ key: "dedicated", effect: "NoExecute" }), tolerant),
    runs,
  );
  // network-unavailable is tolerated only by host-network pods.
  const noNetwork = on({ key: NODE_TAINTS.networkUnavailable, effect: "NoSchedule" });
  assertEquals(nodeShouldRunDaemonPod(noNetwork, ds), stays);
  assertEquals(nodeShouldRunDaemonPod(noNetwork, daemonSet("agent", { hostNetwork: true })), runs);
});

Deno.test("daemonset pod: tolerations, labels, owner and the node pin", () => {
  const ds = daemonSet("agent", {
    tolerations: [{
      key: NODE_TAINTS.notReady,
      operator: "Exists",
      effect: "NoExecute",
      tolerationSeconds: 300,
    }, { key: "mine", operator: "Exists" }],
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{
            matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }],
          }],
        },
      },
    },
  });
  ds.metadata.generation = 3;
  const pod = newDaemonPod(ds, "n2", "abc");
  assertEquals(pod.metadata.generateName, "agent-");
  assertEquals(pod.spec.nodeName, undefined, "left for the scheduler to bind");
  assertEquals(pod.metadata.labels, {
    app: "agent",
    [REVISION_HASH_LABEL]: "abc",
    [TEMPLATE_GENERATION_LABEL]: "3",
  });
  const ref = controllerRefOf(pod)!;
  assertEquals([ref.kind, ref.name, ref.uid, ref.blockOwnerDeletion], [
    "DaemonSet",
    "agent",
    "uid-agent",
    true,
  ]);
  assertEquals(pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution, {
    nodeSelectorTerms: [{
      matchFields: [{ key: "metadata.name", operator: "In", values: ["n2"] }],
    }],
  });
  assertEquals(targetNodeName(pod), "n2");
  const notReady = pod.spec.tolerations.filter((t: { key?: string }) =>
    t.key === NODE_TAINTS.notReady
  );
  assertEquals(notReady, [{ key: NODE_TAINTS.notReady, operator: "Exists", effect: "NoExecute" }]);
  assert(pod.spec.tolerations.some((t: { key?: string }) => t.key === "mine"));
  assertEquals(daemonPodTolerations({}).length, 6);
  assertEquals(daemonPodTolerations({ hostNetwork: true }).length, 7);
  // The template is left alone.
  assertEquals(ds.spec.template.spec.tolerations[0].tolerationSeconds, 300);
});

// -------------------------------------------------------------------------------------------
// What one node needs

Deno.test("daemonset plan: one pod per node, the oldest kept, misfits and failures removed", () => {
  assertEquals(planNode(nodeInput({ pods: undefined })), { create: true, remove: [] });
  assertEquals(planNode(nodeInput({ fit: { shouldRun: false, shouldContinueRunning: true } })), {
    create: false,
    remove: [],
  });
  const [oldest, second, third] = [
    daemonPod("n1", "x"),
    daemonPod("n1", "x"),
    daemonPod("n1", "x"),
  ];
  const extra = planNode(nodeInput({ pods: [third, oldest, second] }));
  assertEquals(extra.create, false);
  assertEquals(extra.remove.map((p) => p.metadata.name), [
    second.metadata.name,
    third.metadata.name,
  ]);

  const gone = planNode(nodeInput({
    fit: { shouldRun: false, shouldContinueRunning: false },
    pods: [oldest, daemonPod("n1", "x", { deleting: true })],
  }));
  assertEquals(gone.remove, [oldest]);

  const failed = daemonPod("n1", "x", { phase: "Failed" });
  assertEquals(planNode(nodeInput({ pods: [failed] })).remove, [failed]);
  assertEquals(planNode(nodeInput({ pods: [failed], mayReplaceFailed: () => false })), {
    create: false,
    remove: [],
  });
  const succeeded = daemonPod("n1", "x", { phase: "Succeeded" });
  assertEquals(planNode(nodeInput({ pods: [succeeded] })).remove, [succeeded]);
  // A pod still terminating holds the node: its replacement waits.
  assertEquals(planNode(nodeInput({ pods: [daemonPod("n1", "x", { deleting: true })] })), {
    create: false,
    remove: [],
  });
});

Deno.test("daemonset plan: with surge, the old pod goes once the new one is available", () => {
  const surge = (pods: KubeObject[]) => planNode(nodeInput({ surge: true, pods }));
  const old = daemonPod("n1", "old");
  const fresh = daemonPod("n1", "new", { ready: false });
  assertEquals(surge([old, fresh]).remove, [], "both stay while the new one starts");
  assertEquals(surge([old, daemonPod("n1", "new")]).remove, [old]);
  assertEquals(surge([daemonPod("n1", "old", { ready: false }), fresh]).remove.length, 1);
  const second = daemonPod("n1", "new");
  assertEquals(surge([old, fresh, second]).remove, [second], "only the oldest new one is kept");
});

// -------------------------------------------------------------------------------------------
// Rolling update

function fitsFor(...names: string[]) {
  return new Map(names.map((n) => [n, runs]));
}

Deno.test("daemonset rolling update: within maxUnavailable, unavailable old pods first", () => {
  const ds = daemonSet("agent");
  const nodes = ["n1", "n2", "n3", "n4"];
  const olds = nodes.map((n) => daemonPod(n, "old"));
  const plan = (pods: KubeObject[], set = ds) =>
    planRollingUpdate({
      ds: set,
      fits: fitsFor(...nodes),
      byNode: podsByNode(pods),
      hash: "new",
      generation: 2,
      now: NOW,
    });
  assertEquals(plan(olds), { remove: [olds[0]], createOn: [] });
  // One node already replaced but not yet available: nothing more may go.
  const starting = daemonPod("n1", "new", { ready: false });
  assertEquals(plan([starting, ...olds.slice(1)]).remove, []);
  // Once it is available, the next old pod goes.
  const ready = daemonPod("n1", "new");
  assertEquals(plan([ready, ...olds.slice(1)]).remove, [olds[1]]);
  // A node waiting for its pod counts as unavailable.
  assertEquals(plan(olds.slice(1)).remove, []);
  // An old pod that is not available anyway is replaced at once, beyond the budget.
  const broken = daemonPod("n4", "old", { ready: false });
  assertEquals(plan([starting, olds[1], olds[2], broken]).remove, [broken]);
  // A percentage is of the nodes that should run the pod, rounded up.
  assertEquals(
    plan(olds, withRollingUpdate(ds, { maxUnavailable: "50%" })).remove,
    olds.slice(0, 2),
  );
  assertEquals(plan(olds, withRollingUpdate(ds, { maxUnavailable: "10%" })).remove, [olds[0]]);
  // The template generation label also marks an updated pod.
  const labelled = daemonPod("n1", "legacy");
  labelled.metadata.labels![TEMPLATE_GENERATION_LABEL] = "2";
  assertEquals(plan([labelled, ...olds.slice(1)]).remove, [olds[1]]);
});

Deno.test("daemonset rolling update: maxSurge starts new pods beside old ones", () => {
  const ds = withRollingUpdate(daemonSet("agent"), { maxUnavailable: 0, maxSurge: 1 });
  const nodes = ["n1", "n2", "n3"];
  const olds = nodes.map((n) => daemonPod(n, "old"));
  const plan = (pods: KubeObject[]) =>
    planRollingUpdate({
      ds,
      fits: fitsFor(...nodes),
      byNode: podsByNode(pods),
      hash: "new",
      generation: 2,
      now: NOW,
    });
  assertEquals(plan(olds), { remove: [], createOn: ["n1"] });
  const starting = daemonPod("n1", "new", { ready: false });
  assertEquals(plan([...olds, starting]), { remove: [], createOn: [] });
  const ready = daemonPod("n1", "new");
  // n1 is done: its old pod goes, and the surge budget moves on to n2.
  assertEquals(plan([...olds, ready]), { remove: [olds[0]], createOn: ["n2"] });
  const broken = daemonPod("n3", "old", { ready: false });
  assertEquals(plan([olds[0], olds[1], broken, starting]).createOn, ["n3"]);
});

Deno.test("daemonset status: desired, current, misscheduled, ready, updated, available", () => {
  const ds = daemonSet("agent");
  const fits = new Map([
    ["n1", runs],
    ["n2", runs],
    ["n3", runs],
    ["n4", { shouldRun: false, shouldContinueRunning: false }],
  ]);
  const pods = [
    daemonPod("n1", "new"),
    daemonPod("n2", "old", { ready: false }),
    daemonPod("n4", "new"),
  ];
  assertEquals(daemonSetCounts(ds, fits, podsByNode(pods), "new", 1, NOW), {
    desiredNumberScheduled: 3,
    currentNumberScheduled: 2,
    numberMisscheduled: 1,
    numberReady: 1,
    updatedNumberScheduled: 1,
    numberAvailable: 1,
    numberUnavailable: 2,
  });
});

Deno.test("daemonset failed-pod back-off doubles up to its ceiling", () => {
  const backoff = new FailedPodBackoff({ initialMs: 1000, maxMs: 4000 });
  assertEquals(backoff.remainingMs("ds/n1", 0), 0);
  backoff.next("ds/n1", 0);
  assertEquals(backoff.remainingMs("ds/n1", 400), 600);
  backoff.next("ds/n1", 1000);
  assertEquals(backoff.remainingMs("ds/n1", 1000), 2000);
  backoff.next("ds/n1", 3000);
  backoff.next("ds/n1", 7000);
  assertEquals(backoff.remainingMs("ds/n1", 7000), 4000);
  // Quiet for long enough: back to the first delay.
  backoff.next("ds/n1", 100_000);
  assertEquals(backoff.remainingMs("ds/n1", 100_000), 1000);
  backoff.forgetPrefix("ds/");
  assertEquals(backoff.remainingMs("ds/n1", 100_000), 0);
});

Deno.test("daemonset history: revisions match templates; old ones go past the limit", () => {
  const ds = daemonSet("agent");
  const revision = (n: number, hash: string, template = ds): KubeObject => ({
    metadata: { name: `agent-${hash}`, labels: { [REVISION_HASH_LABEL]: hash } },
    data: revisionData(template),
    revision: n,
  });
  const current = revision(3, "c");
  assertEquals(current.data.spec.template.$patch, "replace");
  assert(revisionMatches(current, ds));
  const changed = daemonSet("agent", { hostNetwork: true });
  assert(!revisionMatches(current, changed));
  // A template patched back by `rollout undo` carries nulls for unset fields: still a match.
  const undone = structuredClone(ds);
  undone.spec.template.metadata.creationTimestamp = null;
  assert(revisionMatches(current, undone));

  const old = [revision(2, "b", changed), revision(1, "a", changed), revision(0, "z", changed)];
  assertEquals(revisionNumber(old[0]), 2);
  assertEquals(revisionsToDelete(old, 3, []), []);
  assertEquals(revisionsToDelete(old, 1, []).map((r) => r.revision), [0, 1]);
  // A revision whose pods still run is kept.
  assertEquals(
    revisionsToDelete(old, 1, [daemonPod("n1", "z")]).map((r) => r.revision),
    [1, 2],
  );
});

// -------------------------------------------------------------------------------------------
// The controller over real stores

async function daemonPodsOf(stores: StoreSet, app: string): Promise<KubeObject[]> {
  const list = await stores.forKind("", "Pod").list("ns", { labelSelector: `app=${app}` });
  return list.items.filter((p) => !p.metadata.deletionTimestamp);
}

/** Plays the scheduler and kubelet for one pod: binds it where its affinity says, ready. */
async function bindAndRun(stores: StoreSet, pod: KubeObject): Promise<void> {
  await bindPod(stores.forKind("", "Pod"), "ns", pod.metadata.name!, targetNodeName(pod)!);
  await setPodReady(stores, pod, true);
}

/** Plays the kubelet confirming deletions: pods marked for deletion go for good. */
async function confirmDeletions(stores: StoreSet): Promise<void> {
  const podStore = stores.forKind("", "Pod");
  for (const pod of (await podStore.list("ns")).items) {
    if (!pod.metadata.deletionTimestamp) continue;
    await podStore.delete("ns", pod.metadata.name!, { gracePeriodSeconds: 0 }).catch(() => {});
  }
}

Deno.test("daemonset controller: a pod per node, follows nodes, replaces failures, rolls", async (t) => {
  await using test = await openTestStores(["ns"]);
  const { stores } = test;
  const nodeStore = stores.forKind("", "Node");
  for (const name of ["n1", "n2"]) await nodeStore.create(undefined, testNode(name));
  await using _controller = runLoop((signal) =>
    startDaemonSetController(stores, {
      signal,
      logger: silentLogger,
      failedPodBackoff: { initialMs: 10, maxMs: 100 },
    })
  );
  const dsStore = stores.forKind("apps", "DaemonSet");
  const { metadata: _, ...spec } = daemonSet("agent");
  await dsStore.create("ns", { ...spec, metadata: { name: "agent" } });
  const onNodes = async (expected: string[]) =>
    await waitFor(`daemon pods on ${expected.join(",")}`, async () => {
      const pods = await daemonPodsOf(stores, "agent");
      const nodes = pods.map(targetNodeName).sort();
      return JSON.stringify(nodes) === JSON.stringify(expected) && pods;
    });

  await t.step("one pod per node, pinned by affinity, then status counts them", async () => {
    const pods = await onNodes(["n1", "n2"]);
    for (const pod of pods) {
      assertEquals(pod.spec.nodeName, undefined);
      assertEquals(controllerRefOf(pod)!.blockOwnerDeletion, true);
      await bindAndRun(stores, pod);
    }
    const status = await waitFor("status", async () => {
      const ds = await dsStore.get("ns", "agent");
      return ds.status?.numberAvailable === 2 && ds.status;
    });
    assertEquals(status.desiredNumberScheduled, 2);
    assertEquals(status.currentNumberScheduled, 2);
    assertEquals(status.numberReady, 2);
    assertEquals(status.updatedNumberScheduled, 2);
    assertEquals(status.numberMisscheduled, 0);
    assertEquals(status.observedGeneration, 1);
  });

  await t.step("a new node gets a pod; a node that stops qualifying loses it", async () => {
    await nodeStore.create(undefined, testNode("n3"));
    const [pod] = (await onNodes(["n1", "n2", "n3"])).filter((p) => !p.spec.nodeName);
    await bindAndRun(stores, pod);
    await nodeStore.patch(undefined, "n3", "merge", {
      spec: { taints: [{ key: "dedicated", effect: "NoExecute" }] },
    });
    await onNodes(["n1", "n2"]);
  });

  await t.step("a failed pod is deleted and replaced, with a FailedDaemonPod event", async () => {
    const [victim] = (await daemonPodsOf(stores, "agent")).filter((p) => p.spec.nodeName === "n1");
    await stores.forKind("", "Pod").updateWith("ns", victim.metadata.name!, (current) => {
      current.status = { ...current.status, phase: "Failed" };
      return current;
    }, { subresource: "status" });
    const pods = await waitFor("a replacement on n1", async () => {
      const pods = await daemonPodsOf(stores, "agent");
      return pods.length === 2 && !pods.some((p) => p.metadata.uid === victim.metadata.uid) &&
        pods;
    });
    for (const pod of pods.filter((p) => !p.spec.nodeName)) await bindAndRun(stores, pod);
    await waitFor("a FailedDaemonPod event", async () => {
      const events = await stores.forKind("", "Event").list("ns");
      return events.items.some((e) => e.reason === "FailedDaemonPod");
    });
  });

  await t.step("a new template replaces the pods one node at a time", async () => {
    await dsStore.patch("ns", "agent", "merge", {
      spec: { template: { spec: { containers: [{ name: "agent", image: "agent:2" }] } } },
    });
    const seen = new Set<string>();
    await waitFor("every pod on agent:2", async () => {
      const pods = await daemonPodsOf(stores, "agent");
      // At most one node without a running pod of either revision (maxUnavailable 1).
      const serving = pods.filter((p) => p.spec.nodeName && p.status?.phase === "Running");
      assert(serving.length >= 1, `only ${serving.length} serving`);
      await confirmDeletions(stores);
      for (const pod of pods.filter((p) => !p.spec.nodeName)) {
        seen.add(pod.metadata.name!);
        await bindAndRun(stores, pod);
      }
      return pods.length === 2 &&
        pods.every((p) => p.spec.containers[0].image === "agent:2" && p.spec.nodeName);
    });
    assertEquals(seen.size, 2);
    const status = await waitFor("rolled out", async () => {
      const ds = await dsStore.get("ns", "agent");
      return ds.status?.observedGeneration === 2 && ds.status.updatedNumberScheduled === 2 &&
        ds.status.numberAvailable === 2 && ds.status;
    });
    assertEquals(status.desiredNumberScheduled, 2);
  });

  await t.step("each template is a numbered revision; undo renumbers the old one", async () => {
    const revisionStore = stores.forKind("apps", "ControllerRevision");
    const revisions = async () =>
      (await revisionStore.list("ns")).items.sort((a, b) => revisionNumber(a) - revisionNumber(b));
    const [first, second] = await waitFor("two revisions", async () => {
      const list = await revisions();
      return list.length === 2 && list;
    });
    assertEquals([first.revision, second.revision], [1, 2]);
    assertEquals(controllerRefOf(second)!.name, "agent");
    const current = second.metadata.labels![REVISION_HASH_LABEL];
    const pods = await daemonPodsOf(stores, "agent");
    assert(pods.every((p) => p.metadata.labels![REVISION_HASH_LABEL] === current));
    // What `kubectl rollout undo` does: patch the DaemonSet with the revision's data.
    await dsStore.patch("ns", "agent", "strategic", first.data);
    await waitFor("revision 1 current again, as revision 3", async () => {
      const list = await revisions();
      return list.length === 2 && list[1].metadata.name === first.metadata.name &&
        list[1].revision === 3;
    });
    await waitFor("pods back on agent:1", async () => {
      await confirmDeletions(stores);
      const pods = await daemonPodsOf(stores, "agent");
      for (const pod of pods.filter((p) => !p.spec.nodeName)) await bindAndRun(stores, pod);
      return pods.length === 2 &&
        pods.every((p) => p.spec.containers[0].image === "agent:1" && p.spec.nodeName);
    });
  });

  await t.step("OnDelete: a new template waits for the user to delete pods", async () => {
    await dsStore.patch("ns", "agent", "merge", {
      spec: {
        updateStrategy: { type: "OnDelete", rollingUpdate: null },
        template: { spec: { containers: [{ name: "agent", image: "agent:3" }] } },
      },
    });
    const status = await waitFor("the new generation observed", async () => {
      const ds = await dsStore.get("ns", "agent");
      return ds.status?.observedGeneration === ds.metadata.generation && ds.status;
    });
    assertEquals(status.updatedNumberScheduled, undefined, "no pod is updated (omitted when 0)");
    const [victim, kept] = await daemonPodsOf(stores, "agent");
    assertEquals(victim.spec.containers[0].image, "agent:1");
    await stores.forKind("", "Pod").delete("ns", victim.metadata.name!);
    await confirmDeletions(stores);
    const pods = await waitFor("a replacement of the new template", async () => {
      const pods = await daemonPodsOf(stores, "agent");
      return pods.length === 2 && !pods.some((p) => p.metadata.uid === victim.metadata.uid) &&
        pods;
    });
    const images = Object.fromEntries(
      pods.map((p) => [p.metadata.uid, p.spec.containers[0].image]),
    );
    assertEquals(images[kept.metadata.uid!], "agent:1", "the other pod is left alone");
    assertEquals(Object.values(images).sort(), ["agent:1", "agent:3"]);
  });
});
