import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { runLoop } from "../../tests/helpers/loops.ts";
import { openTestStores } from "../../tests/helpers/stores.ts";
import { waitFor } from "../../tests/helpers/wait.ts";
import { silentLogger } from "../log.ts";
import {
  type NamespaceCondition,
  namespaceDeletionConditions,
  startNamespaceController,
} from "./namespace.ts";

const byType = (conditions: NamespaceCondition[]) =>
  Object.fromEntries(conditions.map((c) => [c.type, `${c.status} ${c.reason}: ${c.message}`]));

Deno.test("namespace deletion conditions say what remains, in upstream's words", () => {
  const held = namespaceDeletionConditions([{
    type: "Other",
    status: "True",
    reason: "Kept",
    message: "not ours",
    lastTransitionTime: "2020-01-01T00:00:00Z",
  }], {
    remaining: new Map([["deployments.apps", 2], ["configmaps.", 1]]),
    finalizers: new Map([["example.com/hold", 1]]),
    failures: [],
  }, Date.parse("2025-01-01T00:00:00Z"));
  assertEquals(byType(held), {
    Other: "True Kept: not ours",
    NamespaceDeletionDiscoveryFailure: "False ResourcesDiscovered: All resources successfully " +
      "discovered",
    NamespaceDeletionGroupVersionParsingFailure: "False ParsedGroupVersions: All legacy kube " +
      "types successfully parsed",
    NamespaceDeletionContentFailure: "False ContentDeleted: All content successfully deleted, " +
      "may be waiting on finalization",
    NamespaceContentRemaining: "True SomeResourcesRemain: Some resources are remaining: " +
      "configmaps. has 1 resource instances, deployments.apps has 2 resource instances",
    NamespaceFinalizersRemaining: "True SomeFinalizersRemain: Some content in the namespace has " +
      "finalizers remaining: example.com/hold in 1 resource instances",
  });

  // A later pass that says the same keeps the transition times; a change gets a new one.
  const later = Date.parse("2025-01-01T00:01:00Z");
  const again = namespaceDeletionConditions(held, {
    remaining: new Map([["deployments.apps", 2], ["configmaps.", 1]]),
    finalizers: new Map([["example.com/hold", 1]]),
    failures: [],
  }, later);
  assertEquals(again, held);
  const done = namespaceDeletionConditions(held, {
    remaining: new Map(),
    finalizers: new Map(),
    failures: ["pods.: boom"],
  }, later);
  const remaining = done.find((c) => c.type === "NamespaceContentRemaining")!;
  assertEquals(remaining.status, "False");
  assertEquals(remaining.lastTransitionTime, "2025-01-01T00:01:00Z");
  assertEquals(
    done.find((c) => c.type === "NamespaceDeletionContentFailure")!.message,
    "Failed to delete all resource types, 1 remaining: pods.: boom",
  );
  assertEquals(
    done.find((c) => c.type === "NamespaceDeletionDiscoveryFailure")!.lastTransitionTime,
    "2025-01-01T00:00:00Z",
  );
});

Deno.test("namespace controller: empties a namespace, reports what holds it, then removes it", async () => {
  await using test = await openTestStores(["x"]);
  const { stores } = test;
  const namespaces = stores.forKind("", "Namespace");
  const maps = stores.forKind("", "ConfigMap");
  await maps.create("x", { metadata: { name: "plain" } });
  await maps.create("x", { metadata: { name: "held", finalizers: ["example.com/hold"] } });
  await using _loop = runLoop((signal) =>
    startNamespaceController(stores, { signal, logger: silentLogger, retryMs: 50 })
  );
  await namespaces.delete(undefined, "x");

  const ns = await waitFor("the held ConfigMap reported", async () => {
    const current = await namespaces.find(undefined, "x");
    const conditions = byType(current?.status?.conditions ?? []);
    return conditions.NamespaceFinalizersRemaining?.startsWith("True") && current;
  });
  assertEquals(ns.status?.phase, "Terminating");
  assertEquals(
    byType(ns.status?.conditions).NamespaceContentRemaining,
    "True SomeResourcesRemain: Some resources are remaining: configmaps. has 1 resource instances",
  );
  assertEquals((await maps.list("x", {})).items.map((m) => m.metadata.name), ["held"]);
  assert((await maps.find("x", "held"))?.metadata.deletionTimestamp);

  await maps.updateWith("x", "held", (current) => {
    delete current.metadata.finalizers;
    return current;
  });
  await waitFor(
    "namespace x gone",
    async () => (await namespaces.find(undefined, "x")) === undefined,
  );
});
