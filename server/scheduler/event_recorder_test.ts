import { assertEquals } from "../../tests/helpers/assert.ts";
import { openTestStores } from "../../tests/helpers/stores.ts";
import { EventRecorder } from "./event_recorder.ts";

Deno.test("event recorder: writes core/v1 events and folds repeats into a count", async () => {
  await using test = await openTestStores(["apps"]);
  const events = test.stores.forKind("", "Event");
  let now = Date.parse("2026-01-01T00:00:00Z");
  const recorder = new EventRecorder(events, { component: "default-scheduler", now: () => now });
  const pod = {
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
  await recorder.record(pod, failed);
  now += 60_000;
  await recorder.record(pod, failed);
  await recorder.record(pod, { ...failed, message: "x".repeat(2000) });
  const items = (await events.list("apps")).items;
  assertEquals(items.length, 2);
  const first = items.find((e) => e.message === failed.message)!;
  assertEquals(first.count, 2);
  assertEquals(first.firstTimestamp, "2026-01-01T00:00:00Z");
  assertEquals(first.lastTimestamp, "2026-01-01T00:01:00Z");
  assertEquals(first.source, { component: "default-scheduler" });
  assertEquals(first.reportingComponent, "default-scheduler");
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
