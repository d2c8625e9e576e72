import { assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { openTestStores } from "../../tests/helpers/stores.ts";
import { waitFor } from "../../tests/helpers/wait.ts";
import type { KubeObject } from "../../kube/types.ts";
import { silentLogger } from "../log.ts";
import { EventRecorder } from "./event_recorder.ts";

const pod: KubeObject = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web", namespace: "apps", uid: "uid-1", resourceVersion: "7" },
};

const failed = {
  type: "Warning" as const,
  reason: "FailedScheduling",
  action: "Scheduling",
  message: "0/1 nodes are available: 1 Insufficient cpu.",
};

Deno.test("event recorder: writes core/v1 events and folds repeats into a count", async () => {
  await using test = await openTestStores(["apps"]);
  const events = test.stores.forKind("", "Event");
  let now = Date.parse("2026-01-01T00:00:00Z");
  const recorder = new EventRecorder(events, {
    component: "default-scheduler",
    logger: silentLogger,
    now: () => now,
  });
  await recorder.record(pod, failed);
  now += 60_000;
  await recorder.record(pod, failed);
  await recorder.record(pod, { ...failed, message: "x".repeat(2000) });
  const items = (await events.list("apps")).items;
  assertEquals(items.length, 2);
  const first = items.find((e) => e.message === failed.message)!;
  assertMatch(first.metadata.name ?? "", /^web\.[0-9a-f]+$/);
  assertEquals(first.count, 2);
  assertEquals(first.firstTimestamp, "2026-01-01T00:00:00Z");
  assertEquals(first.lastTimestamp, "2026-01-01T00:01:00Z");
  assertEquals(first.source, { component: "default-scheduler" });
  assertEquals(first.reportingComponent, "default-scheduler");
  assertEquals(first.action, "Scheduling");
  assertEquals(first.involvedObject, {
    kind: "Pod",
    namespace: "apps",
    name: "web",
    uid: "uid-1",
    apiVersion: "v1",
    resourceVersion: "7",
  });
  const long = items.find((e) => e !== first)!;
  assertEquals(long.message.length, 1024);
  assertEquals(long.message.endsWith("..."), true);
});

Deno.test("event recorder: a series window starts a new event once it has passed", async () => {
  await using test = await openTestStores(["apps"]);
  const events = test.stores.forKind("", "Event");
  let now = Date.parse("2026-01-01T00:00:00Z");
  const options = { component: "c", logger: silentLogger, now: () => now };
  const windowed = new EventRecorder(events, { ...options, seriesWindowMs: 10 * 60_000 });
  const unbounded = new EventRecorder(events, options);
  const other: KubeObject = { ...pod, metadata: { ...pod.metadata, uid: "uid-2" } };
  await windowed.record(pod, failed);
  await unbounded.record(other, failed);
  now += 11 * 60_000;
  await windowed.record(pod, failed);
  await unbounded.record(other, failed);
  const counts = (await events.list("apps")).items
    .map((e) => `${e.involvedObject.uid}:${e.count}`).sort();
  assertEquals(counts, ["uid-1:1", "uid-1:1", "uid-2:2"]);
});

Deno.test("event recorder: fire-and-forget posts, cluster-scoped objects, lost events", async () => {
  await using test = await openTestStores(["apps", "default"]);
  const events = test.stores.forKind("", "Event");
  const recorder = new EventRecorder(events, {
    component: "node-controller",
    logger: silentLogger,
  });
  const node: KubeObject = { apiVersion: "v1", kind: "Node", metadata: { name: "a", uid: "n-1" } };
  recorder.normal(node, "NodeNotReady", "Node a status is now: NodeNotReady");
  recorder.warning(pod, "FailedCreate", "Error creating: quota");
  // Upstream writes events about cluster-scoped objects to the default namespace.
  const [nodeEvent] = await waitFor("the node's event", async () => {
    const items = (await events.list("default")).items;
    return items.length > 0 && items;
  });
  assertEquals(nodeEvent.type, "Normal");
  assertEquals(nodeEvent.involvedObject.namespace, undefined);
  assertEquals(nodeEvent.involvedObject.kind, "Node");
  assertEquals(nodeEvent.action, undefined);
  await waitFor("the pod's event", async () => (await events.list("apps")).items.length === 1);
  // A namespace that does not exist refuses the write: post resolves all the same.
  const elsewhere: KubeObject = { ...pod, metadata: { ...pod.metadata, namespace: "missing" } };
  await recorder.post(elsewhere, failed);
  assertEquals((await events.list("missing")).items.length, 0);
});
