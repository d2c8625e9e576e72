import assert from "node:assert/strict";
import type { KubeObject } from "../types.ts";
import { FieldSet, pathString } from "./field_set.ts";
import { recordUpdate } from "./managed_fields.ts";
import { ctxFor } from "./_test_schemas.ts";

const ctx = ctxFor("Deployment");
const T0 = new Date("2025-01-01T00:00:00Z");
const T1 = new Date("2025-01-01T00:05:00Z");

const deployment = (): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "default", uid: "u", labels: { app: "web" } },
  spec: {
    replicas: 1,
    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: { containers: [{ name: "web", image: "nginx", ports: [{ containerPort: 80 }] }] },
    },
  },
  status: { replicas: 0 },
});

Deno.test("managed fields: create attributes every set field, like upstream's Update", () => {
  const entries = recordUpdate({
    updated: deployment(),
    manager: "kubectl-create",
    apiVersion: "apps/v1",
    now: T0,
    ctx,
  });
  assert.deepEqual(entries, [{
    manager: "kubectl-create",
    operation: "Update",
    apiVersion: "apps/v1",
    time: "2025-01-01T00:00:00Z",
    fieldsType: "FieldsV1",
    fieldsV1: {
      "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
      "f:spec": {
        "f:replicas": {},
        "f:strategy": { "f:rollingUpdate": { "f:maxSurge": {} }, "f:type": {} },
        "f:template": {
          "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
          "f:spec": {
            "f:containers": {
              'k:{"name":"web"}': {
                ".": {},
                "f:image": {},
                "f:name": {},
                "f:ports": {
                  ".": {},
                  'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:containerPort": {} },
                },
              },
            },
          },
        },
      },
    },
  }]);
});

Deno.test("managed fields: an update moves changed fields and merges the writer's entries", () => {
  const old = deployment();
  old.metadata.managedFields = recordUpdate({
    updated: old,
    manager: "creator",
    apiVersion: "apps/v1",
    now: T0,
    ctx,
  });
  const updated = structuredClone(old);
  updated.spec.replicas = 3;
  updated.metadata.labels = { app: "web", extra: "x" };
  const first = recordUpdate({
    old,
    updated,
    manager: "kubectl-edit",
    apiVersion: "apps/v1",
    now: T1,
    ctx,
  });
  assert.deepEqual(first.map((e) => e.manager), ["creator", "kubectl-edit"]);
  assert.deepEqual(first[1].fieldsV1, {
    "f:metadata": { "f:labels": { "f:extra": {} } },
    "f:spec": { "f:replicas": {} },
  });
  assert.equal(JSON.stringify(first[0].fieldsV1).includes("f:replicas"), false);

  const again = structuredClone(updated);
  again.metadata.managedFields = first;
  const third = structuredClone(again);
  delete third.metadata.labels!.app;
  third.spec.template.spec.containers[0].image = "nginx:2";
  const second = recordUpdate({
    old: again,
    updated: third,
    manager: "kubectl-edit",
    apiVersion: "apps/v1",
    now: T1,
    ctx,
  });
  assert.equal(
    second.filter((e) => e.manager === "kubectl-edit").length,
    1,
    "one entry per manager",
  );
  const edit = JSON.stringify(second.find((e) => e.manager === "kubectl-edit")!.fieldsV1);
  assert.ok(edit.includes("f:replicas") && edit.includes("f:image") && edit.includes("f:extra"));
  const creator = JSON.stringify(second.find((e) => e.manager === "creator")!.fieldsV1);
  assert.equal(
    creator.includes('"f:app"') && creator.indexOf('"f:app"') < creator.indexOf("f:spec"),
    false,
    "removed label leaves every manager",
  );
});

Deno.test("managed fields: a write that changes nothing keeps entries and times", () => {
  const old = deployment();
  old.metadata.managedFields = recordUpdate({
    updated: old,
    manager: "a",
    apiVersion: "apps/v1",
    now: T0,
    ctx,
  });
  const entries = recordUpdate({
    old,
    updated: structuredClone(old),
    manager: "b",
    apiVersion: "apps/v1",
    now: T1,
    ctx,
  });
  assert.deepEqual(entries, old.metadata.managedFields);
});

Deno.test("managed fields: status changes through the main resource are not owned", () => {
  const old = deployment();
  const updated = structuredClone(old);
  updated.status.replicas = 4;
  assert.deepEqual(
    recordUpdate({ old, updated, manager: "x", apiVersion: "apps/v1", now: T1, ctx }),
    [],
  );
  const status = recordUpdate({
    old,
    updated,
    manager: "ctrl",
    apiVersion: "apps/v1",
    now: T1,
    ctx,
    subresource: "status",
  });
  assert.deepEqual(status.map((e) => [e.manager, e.subresource, e.fieldsV1]), [
    ["ctrl", "status", { "f:status": { "f:replicas": {} } }],
  ]);
});

Deno.test("managed fields: sending [] or [{}] clears them", () => {
  const old = deployment();
  old.metadata.managedFields = recordUpdate({
    updated: old,
    manager: "a",
    apiVersion: "apps/v1",
    now: T0,
    ctx,
  });
  for (const reset of [[], [{}]]) {
    const updated = structuredClone(old);
    updated.metadata.managedFields = reset;
    assert.deepEqual(
      recordUpdate({ old, updated, manager: "b", apiVersion: "apps/v1", now: T1, ctx }),
      [],
    );
  }
});

Deno.test("field set: FieldsV1 round trip, set algebra and printed paths", () => {
  const v1 = {
    "f:metadata": { "f:finalizers": { ".": {}, 'v:"a"': {} } },
    "f:spec": { "f:args": {}, "f:containers": { 'k:{"name":"web"}': { ".": {}, "f:image": {} } } },
  };
  const set = FieldSet.fromFieldsV1(v1);
  assert.deepEqual(set.toFieldsV1(), v1);
  assert.deepEqual(set.paths().map(pathString), [
    ".metadata.finalizers",
    '.metadata.finalizers[="a"]',
    ".spec.args",
    '.spec.containers[name="web"]',
    '.spec.containers[name="web"].image',
  ]);
  const other = new FieldSet().insert(["f:spec", "f:args"]).insert(["f:spec", "f:replicas"]);
  assert.deepEqual(set.intersection(other).toFieldsV1(), { "f:spec": { "f:args": {} } });
  assert.deepEqual(set.difference(other).toFieldsV1()["f:spec"], {
    "f:containers": { 'k:{"name":"web"}': { ".": {}, "f:image": {} } },
  });
  const withoutSpec = set.recursiveDifference(new FieldSet().insert(["f:spec"]));
  assert.deepEqual(Object.keys(withoutSpec.toFieldsV1()), ["f:metadata"]);
  assert.equal(set.touches(["f:spec", "f:containers", 'k:{"name":"web"}']), true);
  assert.equal(set.touches(["f:spec", "f:replicas"]), false);
});
