import { assertEquals } from "../../tests/helpers/assert.ts";
import { waitFor } from "../../tests/helpers/wait.ts";
import type { KubeObject } from "../../kube/types.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import { runLoop } from "../../tests/helpers/loops.ts";
import { openTestStores } from "../../tests/helpers/stores.ts";
import { silentLogger } from "../log.ts";
import { startScheduler } from "./scheduler.ts";
import { testNode, testPod, type TestPodOptions } from "./_test_objects.ts";

/** Stores with a running scheduler; dispose to stop it and remove the datastore. */
async function schedulerWith(): Promise<{ stores: StoreSet } & AsyncDisposable> {
  const test = await openTestStores(["default"]);
  const scheduler = runLoop((signal) =>
    startScheduler(test.stores, {
      signal,
      logger: silentLogger,
      queue: { initialBackoffMs: 10, maxBackoffMs: 50 },
    })
  );
  return {
    stores: test.stores,
    async [Symbol.asyncDispose]() {
      await scheduler[Symbol.asyncDispose]();
      await test[Symbol.asyncDispose]();
    },
  };
}

async function createPod(stores: StoreSet, name: string, options: TestPodOptions = {}) {
  const pod = testPod(name, options);
  delete (pod.metadata as { uid?: string }).uid;
  return (await stores.forKind("", "Pod").create("default", pod)).object;
}

function boundNode(stores: StoreSet, name: string): Promise<string> {
  return waitFor(`pod ${name} to be bound`, async () => {
    const pod = await stores.forKind("", "Pod").get("default", name);
    return pod.spec?.nodeName as string | undefined;
  });
}

async function podEvents(stores: StoreSet, pod: string): Promise<KubeObject[]> {
  const list = await stores.forKind("", "Event").list("default", {
    fieldSelector: `involvedObject.name=${pod}`,
  });
  return list.items;
}

function condition(pod: KubeObject): Record<string, unknown> | undefined {
  return (pod.status?.conditions ?? []).find((c: { type: string }) => c.type === "PodScheduled");
}

Deno.test("scheduler: binds a pending pod, sets PodScheduled and records Scheduled", async () => {
  await using cluster = await schedulerWith();
  const { stores } = cluster;
  await stores.forKind("", "Node").create(undefined, testNode("n1"));
  await createPod(stores, "web", { requests: { cpu: "100m" } });
  assertEquals(await boundNode(stores, "web"), "n1");
  const pod = await stores.forKind("", "Pod").get("default", "web");
  assertEquals(condition(pod)?.status, "True");
  const [event] = await waitFor("Scheduled event", async () => {
    const events = await podEvents(stores, "web");
    return events.length > 0 && events;
  });
  assertEquals(event.type, "Normal");
  assertEquals(event.reason, "Scheduled");
  assertEquals(event.message, "Successfully assigned default/web to n1");
  assertEquals(event.source, { component: "default-scheduler" });
  assertEquals(event.reportingComponent, "default-scheduler");
  assertEquals(event.involvedObject.uid, pod.metadata.uid);
});

Deno.test("scheduler: an unschedulable pod is reported, then placed once a node fits", async () => {
  await using cluster = await schedulerWith();
  const { stores } = cluster;
  const nodes = stores.forKind("", "Node");
  await nodes.create(undefined, testNode("small", { cpu: "1" }));
  await nodes.create(
    undefined,
    testNode("tainted", { taints: [{ key: "dedicated", value: "db", effect: "NoSchedule" }] }),
  );
  await createPod(stores, "big", { requests: { cpu: "2" } });
  const expected = "0/2 nodes are available: 1 Insufficient cpu, " +
    "1 node(s) had untolerated taint {dedicated: db}. preemption: 0/2 nodes are available: " +
    "1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.";
  const pending = await waitFor("PodScheduled=False", async () => {
    const pod = await stores.forKind("", "Pod").get("default", "big");
    return condition(pod)?.status === "False" && pod;
  });
  assertEquals(condition(pending)?.reason, "Unschedulable");
  assertEquals(condition(pending)?.message, expected);
  const failed = await waitFor("FailedScheduling event", async () => {
    return (await podEvents(stores, "big")).find((e) => e.reason === "FailedScheduling");
  });
  assertEquals(failed.type, "Warning");
  assertEquals(failed.message, expected);

  await nodes.create(undefined, testNode("large", { cpu: "8" }));
  assertEquals(await boundNode(stores, "big"), "large");
  const pod = await stores.forKind("", "Pod").get("default", "big");
  assertEquals(condition(pod)?.status, "True");
});

Deno.test("scheduler: a node update (taint removed) lets a waiting pod in", async () => {
  await using cluster = await schedulerWith();
  const { stores } = cluster;
  const nodes = stores.forKind("", "Node");
  await nodes.create(
    undefined,
    testNode("n1", { taints: [{ key: "node.kubernetes.io/not-ready", effect: "NoSchedule" }] }),
  );
  await createPod(stores, "web");
  await waitFor("PodScheduled=False", async () => {
    const pod = await stores.forKind("", "Pod").get("default", "web");
    return condition(pod)?.status === "False";
  });
  await nodes.updateWith(undefined, "n1", (node) => {
    node.spec.taints = [];
    return node;
  });
  assertEquals(await boundNode(stores, "web"), "n1");
});

Deno.test("scheduler: deleting a pod makes room for a waiting one", async () => {
  await using cluster = await schedulerWith();
  const { stores } = cluster;
  await stores.forKind("", "Node").create(undefined, testNode("n1", { pods: "1" }));
  await createPod(stores, "first");
  await boundNode(stores, "first");
  await createPod(stores, "second");
  const waiting = await waitFor("second to be reported unschedulable", async () => {
    return (await podEvents(stores, "second")).find((e) => e.reason === "FailedScheduling");
  });
  assertEquals(waiting.message.startsWith("0/1 nodes are available: 1 Too many pods."), true);
  await stores.forKind("", "Pod").delete("default", "first", { gracePeriodSeconds: 0 });
  assertEquals(await boundNode(stores, "second"), "n1");
});

Deno.test("scheduler: replicas of one owner spread over the nodes", async () => {
  await using cluster = await schedulerWith();
  const { stores } = cluster;
  for (const name of ["a", "b", "c"]) {
    await stores.forKind("", "Node").create(undefined, testNode(name));
  }
  for (let i = 0; i < 6; i++) {
    await createPod(stores, `web-${i}`, {
      owner: "9d1a3c1e-0000-4000-8000-000000000001",
      requests: { cpu: "100m", memory: "64Mi" },
    });
  }
  const perNode = new Map<string, number>();
  for (let i = 0; i < 6; i++) {
    const node = await boundNode(stores, `web-${i}`);
    perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  assertEquals([...perNode.entries()].sort(), [["a", 2], ["b", 2], ["c", 2]]);
});

Deno.test("scheduler: pods for another scheduler are left alone", async () => {
  await using cluster = await schedulerWith();
  const { stores } = cluster;
  await createPod(stores, "theirs", { schedulerName: "other-scheduler" });
  await stores.forKind("", "Node").create(undefined, testNode("n1"));
  await createPod(stores, "ours");
  await boundNode(stores, "ours");
  const theirs = await stores.forKind("", "Pod").get("default", "theirs");
  assertEquals(theirs.spec.nodeName, undefined);
  assertEquals(await podEvents(stores, "theirs"), []);
});
