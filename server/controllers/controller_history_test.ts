import { assertEquals } from "../../tests/helpers/assert.ts";
import { deleteSameObject } from "./same_object.ts";
import { openTestStores } from "../../tests/helpers/stores.ts";
import type { KubeObject } from "../../kube/types.ts";
import {
  newControllerRevision,
  REVISION_HASH_LABEL,
  revisionTemplate,
  sortRevisions,
} from "./controller_history.ts";

const TEMPLATE = {
  metadata: { labels: { app: "agent" } },
  spec: { containers: [{ name: "agent", image: "agent:1" }] },
};

const OWNER: KubeObject = {
  apiVersion: "apps/v1",
  kind: "DaemonSet",
  metadata: {
    name: "agent",
    namespace: "ns",
    uid: "ds-uid",
    annotations: { "kubernetes.io/change-cause": "image agent:1" },
  },
  spec: { template: TEMPLATE },
};

Deno.test("controller history: a revision restores its owner's template", () => {
  const revision = newControllerRevision(
    OWNER,
    { apiVersion: "apps/v1", kind: "DaemonSet" },
    "h1",
    3,
  );
  assertEquals(revision.metadata.name, "agent-h1");
  assertEquals(revision.metadata.labels, { app: "agent", [REVISION_HASH_LABEL]: "h1" });
  assertEquals(revision.metadata.annotations, OWNER.metadata.annotations);
  assertEquals(revision.metadata.ownerReferences?.[0]?.uid, "ds-uid");
  assertEquals(revision.metadata.ownerReferences?.[0]?.controller, true);
  assertEquals(revision.revision, 3);
  assertEquals(revision.data, { spec: { template: { ...TEMPLATE, $patch: "replace" } } });
  assertEquals(revisionTemplate(revision), TEMPLATE);
  assertEquals(revisionTemplate({ metadata: {}, data: {} }), undefined);
});

Deno.test("controller history: oldest first by number, then creation, then name", () => {
  const at = (name: string, revision: number, created: string): KubeObject => ({
    metadata: { name, creationTimestamp: created },
    revision,
  });
  const sorted = sortRevisions([
    at("c", 2, "2026-01-01T00:00:00Z"),
    at("b", 1, "2026-01-01T00:00:01Z"),
    at("a", 1, "2026-01-01T00:00:01Z"),
    at("d", 1, "2026-01-01T00:00:00Z"),
  ]);
  assertEquals(sorted.map((r) => r.metadata.name), ["d", "a", "b", "c"]);
});

Deno.test("controller history: deleting a revision already gone is not an error", async () => {
  await using test = await openTestStores(["ns"]);
  const store = test.stores.forKind("apps", "ControllerRevision");
  const revision = newControllerRevision(
    OWNER,
    { apiVersion: "apps/v1", kind: "DaemonSet" },
    "h1",
    1,
  );
  const { object } = await store.create("ns", revision);
  await deleteSameObject(store, object);
  await deleteSameObject(store, object);
  assertEquals((await store.list("ns")).items, []);
});
