import assert from "node:assert/strict";
import { ApiError } from "../errors.ts";
import type { KubeObject } from "../types.ts";
import { LAST_APPLIED_ANNOTATION, serverSideApply } from "./apply.ts";
import { recordUpdate } from "./managed_fields.ts";
import { ctxFor } from "./_test_schemas.ts";

const ctx = ctxFor("Deployment");
const T0 = new Date("2025-01-01T00:00:00.123Z");
const T1 = new Date("2025-01-01T00:01:00Z");

function config(
  extra: { replicas?: number; labels?: Record<string, string>; image?: string } = {},
) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", labels: extra.labels ?? { app: "web" } },
    spec: {
      replicas: extra.replicas ?? 1,
      selector: { matchLabels: { app: "web" } },
      template: { spec: { containers: [{ name: "web", image: extra.image ?? "nginx" }] } },
    },
  } as KubeObject;
}

function apply(
  live: KubeObject | undefined,
  applied: KubeObject,
  manager = "kubectl",
  force = false,
) {
  return serverSideApply({ live, applied, manager, force, ctx, apiVersion: "apps/v1", now: T1 })
    .object;
}

/** The stored object as the REST store would write it after a create. */
function created(obj: KubeObject, manager: string): KubeObject {
  const managedFields = recordUpdate({
    updated: obj,
    manager,
    apiVersion: "apps/v1",
    now: T0,
    ctx,
  });
  return { ...obj, metadata: { ...obj.metadata, uid: "u1", managedFields } };
}

Deno.test("ssa: create owns exactly the applied fields", () => {
  const applied = config();
  const before = structuredClone(applied);
  const obj = serverSideApply({
    applied,
    manager: "kubectl",
    force: false,
    ctx,
    apiVersion: "apps/v1",
    now: T0,
  }).object;
  assert.deepEqual(applied, before, "input not mutated");
  assert.equal(obj.spec.replicas, 1);
  assert.deepEqual(obj.metadata.managedFields, [{
    manager: "kubectl",
    operation: "Apply",
    apiVersion: "apps/v1",
    time: "2025-01-01T00:00:00Z",
    fieldsType: "FieldsV1",
    fieldsV1: {
      "f:metadata": { "f:labels": { "f:app": {} } },
      "f:spec": {
        "f:replicas": {},
        "f:selector": {},
        "f:template": {
          "f:spec": {
            "f:containers": { 'k:{"name":"web"}': { ".": {}, "f:image": {}, "f:name": {} } },
          },
        },
      },
    },
  }]);
});

Deno.test("ssa: applying the same config again changes nothing, not even the time", () => {
  const first = serverSideApply({
    applied: config(),
    manager: "kubectl",
    force: false,
    ctx,
    apiVersion: "apps/v1",
    now: T0,
  }).object;
  const second = apply(first, config());
  assert.deepEqual(second, first);
});

Deno.test("ssa: fields dropped from the config are removed", () => {
  const live = apply(undefined, config({ labels: { app: "web", tier: "front" } }));
  const applied = config();
  applied.spec.template.spec.containers.push({ name: "side", image: "busybox" });
  const withSide = apply(live, applied);
  assert.equal(withSide.spec.template.spec.containers.length, 2);
  const out = apply(withSide, config());
  assert.deepEqual(out.metadata.labels, { app: "web" });
  assert.deepEqual(out.spec.template.spec.containers, [{ name: "web", image: "nginx" }]);
  const fields = JSON.stringify(out.metadata.managedFields);
  assert.equal(fields.includes("tier") || fields.includes("side"), false);
});

Deno.test("ssa: a dropped field another manager also owns stays", () => {
  let live = apply(undefined, config({ labels: { app: "web", tier: "front" } }));
  live = apply(live, {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", labels: { tier: "front" } },
  }, "other");
  const out = apply(live, config());
  assert.deepEqual(out.metadata.labels, { app: "web", tier: "front" });
  const other = out.metadata.managedFields!.find((m) => m.manager === "other");
  assert.deepEqual(other?.fieldsV1, { "f:metadata": { "f:labels": { "f:tier": {} } } });
});

Deno.test("ssa: changing a field another manager owns is a 409 conflict in upstream's form", () => {
  const live = created(config({ replicas: 1 }), "kubectl-client-side-apply");
  let error: unknown;
  try {
    apply(live, config({ replicas: 3 }));
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof ApiError);
  assert.equal(error.code, 409);
  assert.equal(error.reason, "Conflict");
  assert.equal(
    error.message,
    'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
  );
  assert.deepEqual(error.toStatus().details, {
    causes: [{
      reason: "FieldManagerConflict",
      message: 'conflict with "kubectl-client-side-apply" using apps/v1',
      field: ".spec.replicas",
    }],
  });
});

Deno.test("ssa: several conflicts are listed per manager", () => {
  const live = created(config({ replicas: 1 }), "kubectl-client-side-apply");
  assert.throws(
    () => apply(live, config({ replicas: 3, image: "nginx:2" })),
    (e) =>
      e instanceof ApiError &&
      e.message ===
        'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:\n' +
          '- .spec.replicas\n- .spec.template.spec.containers[name="web"].image',
  );
});

Deno.test("ssa: the same value is shared, not a conflict", () => {
  const live = created(config({ replicas: 1 }), "kubectl-client-side-apply");
  const out = apply(live, config({ replicas: 1 }));
  const managers = out.metadata.managedFields!.map((m) => `${m.manager}/${m.operation}`);
  assert.deepEqual(managers, ["kubectl/Apply", "kubectl-client-side-apply/Update"]);
  const fields = out.metadata.managedFields!.map((m) => JSON.stringify(m.fieldsV1));
  assert.ok(fields.every((f) => f.includes('"f:replicas"')));
});

Deno.test("ssa: force takes the field from the other manager", () => {
  const live = created(config({ replicas: 1 }), "kubectl-client-side-apply");
  const out = apply(live, config({ replicas: 3 }), "kubectl", true);
  assert.equal(out.spec.replicas, 3);
  const csa = out.metadata.managedFields!.find((m) => m.manager === "kubectl-client-side-apply");
  assert.ok(csa);
  assert.equal(JSON.stringify(csa.fieldsV1).includes("f:replicas"), false);
  assert.ok(JSON.stringify(csa.fieldsV1).includes("f:image"), "other fields stay owned");
  assert.equal(out.metadata.uid, "u1", "live-only metadata kept");
});

Deno.test("ssa: an update by another writer takes ownership without conflict", () => {
  const live = apply(undefined, config({ replicas: 1 }));
  const edited = structuredClone(live);
  edited.spec.replicas = 5;
  const managedFields = recordUpdate({
    old: live,
    updated: edited,
    manager: "kubectl-edit",
    apiVersion: "apps/v1",
    now: T1,
    ctx,
  });
  const applier = managedFields.find((m) => m.manager === "kubectl")!;
  const editor = managedFields.find((m) => m.manager === "kubectl-edit")!;
  assert.equal(JSON.stringify(applier.fieldsV1).includes("f:replicas"), false);
  assert.deepEqual(editor.fieldsV1, { "f:spec": { "f:replicas": {} } });
  // Re-applying the old replicas now conflicts with the editor.
  assert.throws(
    () => apply({ ...edited, metadata: { ...edited.metadata, managedFields } }, config()),
    (e) => e instanceof ApiError && e.code === 409 && e.message.includes('"kubectl-edit"'),
  );
});

Deno.test("ssa: bad bodies are 400", () => {
  const wrongVersion = { ...config(), apiVersion: "apps/v1beta1" };
  assert.throws(
    () => apply(undefined, wrongVersion),
    (e) =>
      e instanceof ApiError && e.code === 400 &&
      e.message ===
        "Incorrect version specified in apply patch. Specified patch version: apps/v1beta1, expected: apps/v1",
  );
  const withManaged = config();
  withManaged.metadata.managedFields = [];
  assert.throws(
    () => apply(undefined, withManaged),
    (e) => e instanceof ApiError && e.code === 400,
  );
});

Deno.test("ssa: status is not owned through the main resource", () => {
  const applied = { ...config(), status: { replicas: 9 } };
  const out = apply(undefined, applied);
  assert.equal(JSON.stringify(out.metadata.managedFields).includes("f:status"), false);
});

Deno.test("ssa: kubectl keeps the client-side annotation in sync", () => {
  const live = config();
  live.metadata.annotations = { [LAST_APPLIED_ANNOTATION]: "{}" };
  const out = apply(live, config({ replicas: 2 }));
  const annotation = JSON.parse(out.metadata.annotations![LAST_APPLIED_ANNOTATION]);
  assert.equal(annotation.spec.replicas, 2);
  assert.equal(annotation.metadata.annotations, undefined);
});

Deno.test("ssa: live-only list items keep their place, applied items follow applied order", () => {
  const live = config();
  live.spec.template.spec.containers = [{ name: "a", image: "a" }, { name: "b", image: "b" }];
  const applied = config();
  applied.spec.template.spec.containers = [{ name: "b", image: "b2" }, { name: "c", image: "c" }];
  const out = apply(live, applied);
  assert.deepEqual(
    out.spec.template.spec.containers.map((c: { name: string; image: string }) => c.image),
    ["a", "b2", "c"],
  );
});
