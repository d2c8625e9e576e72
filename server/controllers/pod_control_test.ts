import { assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { openTestStores } from "../../tests/helpers/stores.ts";
import { waitFor } from "../../tests/helpers/wait.ts";
import type { KubeObject } from "../../kube/types.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import { silentLogger } from "../log.ts";
import { EventRecorder } from "./event_recorder.ts";
import { Expectations } from "./expectations.ts";
import { observePodEvent, PodControl } from "./pod_control.ts";

const OWNER: KubeObject = {
  apiVersion: "apps/v1",
  kind: "ReplicaSet",
  metadata: { name: "web", namespace: "ns", uid: "rs-uid" },
};

function pod(name: string, containers = [{ name: "web", image: "nginx" }]): KubeObject {
  return { apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { containers } };
}

function podControlOn(stores: StoreSet) {
  const expectations = new Expectations();
  const control = new PodControl({
    podStore: stores.forKind("", "Pod"),
    events: new EventRecorder(stores.forKind("", "Event"), {
      component: "test",
      logger: silentLogger,
    }),
    expectations,
    fieldManager: "test",
  });
  return { control, expectations };
}

Deno.test("pod control: creates and deletes with upstream's events, expecting each", async () => {
  await using test = await openTestStores(["ns"]);
  const { stores } = test;
  const podStore = stores.forKind("", "Pod");
  const { control, expectations } = podControlOn(stores);
  const { object: old } = await podStore.create("ns", pod("old"));
  const gone = { ...pod("gone"), metadata: { name: "gone", namespace: "ns", uid: "gone-uid" } };

  await control.createAndDelete(OWNER, "ns/web", {
    create: [pod("a"), pod("b")],
    remove: [old, gone],
  });
  assertEquals(expectations.satisfied("ns/web"), false, "the cache has seen nothing yet");
  expectations.creationObserved("ns/web");
  expectations.creationObserved("ns/web");
  expectations.deletionObserved("ns/web", old.metadata.uid!);
  assertEquals(expectations.satisfied("ns/web"), true, "a pod already gone is not awaited");
  const names = (await podStore.list("ns")).items.map((p) => p.metadata.name).sort();
  assertEquals(names, ["a", "b"]);
  const messages = await waitFor("3 events", async () => {
    const events = (await stores.forKind("", "Event").list("ns")).items;
    return events.length === 3 && events.map((e) => `${e.reason}: ${e.message}`).sort();
  });
  assertEquals(messages, [
    "SuccessfulCreate: Created pod: a",
    "SuccessfulCreate: Created pod: b",
    "SuccessfulDelete: Deleted pod: old",
  ]);
});

Deno.test("pod control: a failed creation stops the slow start and is not awaited", async () => {
  await using test = await openTestStores(["ns"]);
  const { stores } = test;
  const podStore = stores.forKind("", "Pod");
  const { control, expectations } = podControlOn(stores);
  // The first batch (one pod) is invalid: none of the other four is tried.
  const create = [pod("bad", []), pod("a"), pod("b"), pod("c"), pod("d")];
  const failure = await control.createAndDelete(OWNER, "ns/web", { create }).then(
    () => undefined,
    (error: unknown) => error,
  );
  assertEquals(failure !== undefined, true, "the failure is thrown");
  assertEquals(expectations.satisfied("ns/web"), true, "no creation will ever be observed");
  assertEquals((await podStore.list("ns")).items.length, 0);
  const event = await waitFor("FailedCreate", async () => {
    return (await stores.forKind("", "Event").list("ns")).items[0];
  });
  assertEquals(event.reason, "FailedCreate");
  assertEquals(event.type, "Warning");
  assertMatch(event.message, /^Error creating: /);
});

Deno.test("pod control: pod events meet the owner's expectations", () => {
  const expectations = new Expectations();
  const at = (uid: string, deleting = false): KubeObject => ({
    metadata: {
      name: uid,
      uid,
      ...(deleting ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}),
    },
  });
  expectations.expect("ns/web", { creations: 2, deletions: ["old", "older"] });
  observePodEvent(expectations, "ns/web", { type: "ADDED", object: at("a") });
  // Created and already being deleted (a relist): both are seen at once.
  observePodEvent(expectations, "ns/web", { type: "ADDED", object: at("b", true) });
  observePodEvent(expectations, "ns/web", {
    type: "MODIFIED",
    object: at("old", true),
    old: at("old"),
  });
  assertEquals(expectations.satisfied("ns/web"), false, "older is still there");
  observePodEvent(expectations, "ns/web", {
    type: "MODIFIED",
    object: at("older"),
    old: at("older"),
  });
  assertEquals(expectations.satisfied("ns/web"), false, "a change that is not a deletion");
  observePodEvent(expectations, "ns/web", { type: "DELETED", object: at("older") });
  assertEquals(expectations.satisfied("ns/web"), true);
});
