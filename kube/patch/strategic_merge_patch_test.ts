import assert from "node:assert/strict";
import { ApiError } from "../errors.ts";
import type { JsonObject } from "../types.ts";
import { applyStrategicMergePatch } from "./strategic_merge_patch.ts";
import { ctxFor } from "./_test_schemas.ts";

const deployment = (): JsonObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", labels: { app: "web" } },
  spec: {
    replicas: 1,
    template: {
      spec: {
        containers: [
          {
            name: "a",
            image: "nginx",
            env: [{ name: "X", value: "1" }, { name: "Y", value: "2" }],
          },
          { name: "b", image: "busybox" },
        ],
      },
    },
  },
});

function containers(obj: JsonObject): JsonObject[] {
  // deno-lint-ignore no-explicit-any -- test navigation through a known shape
  return (obj as any).spec.template.spec.containers;
}

Deno.test("smp: kubectl apply removing a container and an env var removes them", () => {
  const original = deployment();
  const snapshot = structuredClone(original);
  const patch = JSON.parse(
    `{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"a"}],"containers":[{"$patch":"delete","name":"b"},{"name":"a","$setElementOrder/env":[{"name":"X"}],"env":[{"$patch":"delete","name":"Y"}]}]}}}}`,
  );
  const out = applyStrategicMergePatch(original, patch, ctxFor("Deployment"));
  assert.deepEqual(containers(out), [{
    name: "a",
    image: "nginx",
    env: [{ name: "X", value: "1" }],
  }]);
  assert.deepEqual(original, snapshot, "input not mutated");
});

Deno.test("smp: an empty patch (second identical apply) changes nothing", () => {
  const original = deployment();
  assert.deepEqual(applyStrategicMergePatch(original, {}, ctxFor("Deployment")), original);
});

Deno.test("smp: merges list items by merge key and appends new ones", () => {
  const out = applyStrategicMergePatch(deployment(), {
    spec: {
      template: {
        spec: { containers: [{ name: "b", image: "busybox:2" }, { name: "c", image: "c" }] },
      },
    },
  }, ctxFor("Deployment"));
  assert.deepEqual(containers(out).map((c) => [c.name, c.image]), [
    ["a", "nginx"],
    ["b", "busybox:2"],
    ["c", "c"],
  ]);
  assert.equal(containers(out)[0].env !== undefined, true, "untouched item kept whole");
});

Deno.test("smp: $setElementOrder reorders and places new items", () => {
  const out = applyStrategicMergePatch(deployment(), {
    spec: {
      template: {
        spec: {
          "$setElementOrder/containers": [{ name: "c" }, { name: "b" }, { name: "a" }],
          containers: [{ name: "c", image: "c" }],
        },
      },
    },
  }, ctxFor("Deployment"));
  assert.deepEqual(containers(out).map((c) => c.name), ["c", "b", "a"]);
});

Deno.test("smp: null deletes a field, nested map merges", () => {
  const out = applyStrategicMergePatch(deployment(), {
    metadata: { labels: { app: null, tier: "front" } },
    spec: { replicas: null },
  }, ctxFor("Deployment"));
  // deno-lint-ignore no-explicit-any -- test navigation
  const o = out as any;
  assert.deepEqual(o.metadata.labels, { tier: "front" });
  assert.equal("replicas" in o.spec, false);
});

Deno.test("smp: lists without a merge strategy are replaced", () => {
  const pod: JsonObject = {
    spec: {
      tolerations: [{ key: "a" }, { key: "b" }],
      containers: [{ name: "a", args: ["x", "y"] }],
    },
  };
  const out = applyStrategicMergePatch(pod, {
    spec: { tolerations: [{ key: "c" }], containers: [{ name: "a", args: ["z"] }] },
  }, ctxFor("Pod"));
  // deno-lint-ignore no-explicit-any -- test navigation
  const o = out as any;
  assert.deepEqual(o.spec.tolerations, [{ key: "c" }]);
  assert.deepEqual(o.spec.containers[0].args, ["z"]);
});

Deno.test("smp: primitive merge lists union, $deleteFromPrimitiveList removes", () => {
  const obj: JsonObject = { metadata: { finalizers: ["a", "b"] } };
  const added = applyStrategicMergePatch(
    obj,
    { metadata: { finalizers: ["c", "a"] } },
    ctxFor("Pod"),
  );
  // deno-lint-ignore no-explicit-any -- test navigation
  assert.deepEqual((added as any).metadata.finalizers, ["c", "a", "b"]);
  const removed = applyStrategicMergePatch(obj, {
    metadata: { "$deleteFromPrimitiveList/finalizers": ["a"] },
  }, ctxFor("Pod"));
  // deno-lint-ignore no-explicit-any -- test navigation
  assert.deepEqual((removed as any).metadata.finalizers, ["b"]);
});

Deno.test("smp: $patch replace in a list and in a map", () => {
  const listReplaced = applyStrategicMergePatch(deployment(), {
    spec: {
      template: { spec: { containers: [{ name: "z", image: "z" }, { $patch: "replace" }] } },
    },
  }, ctxFor("Deployment"));
  assert.deepEqual(containers(listReplaced), [{ name: "z", image: "z" }]);
  const mapReplaced = applyStrategicMergePatch(deployment(), {
    metadata: { labels: { $patch: "replace", only: "this" } },
  }, ctxFor("Deployment"));
  // deno-lint-ignore no-explicit-any -- test navigation
  assert.deepEqual((mapReplaced as any).metadata.labels, { only: "this" });
  const mapDeleted = applyStrategicMergePatch(deployment(), {
    metadata: { labels: { $patch: "delete" } },
  }, ctxFor("Deployment"));
  // deno-lint-ignore no-explicit-any -- test navigation
  assert.deepEqual((mapDeleted as any).metadata.labels, {});
});

Deno.test("smp: $retainKeys drops keys the patch does not keep", () => {
  const obj: JsonObject = {
    spec: { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } } },
  };
  const out = applyStrategicMergePatch(obj, {
    spec: { strategy: { $retainKeys: ["type"], type: "Recreate" } },
  }, ctxFor("Deployment"));
  // deno-lint-ignore no-explicit-any -- test navigation
  assert.deepEqual((out as any).spec.strategy, { type: "Recreate" });
  assert.throws(
    () =>
      applyStrategicMergePatch(obj, {
        spec: { strategy: { $retainKeys: ["type"], rollingUpdate: {} } },
      }, ctxFor("Deployment")),
    (e) => e instanceof ApiError && e.code === 400,
  );
});

Deno.test("smp: new fields take the patch value without directives", () => {
  const out = applyStrategicMergePatch({ spec: {} }, {
    spec: {
      "$setElementOrder/containers": [{ name: "a" }],
      containers: [{ name: "a", env: [{ name: "Q", $patch: "delete" }, { name: "X" }] }],
    },
  }, ctxFor("Pod"));
  assert.deepEqual(out, { spec: { containers: [{ name: "a", env: [{ name: "X" }] }] } });
});

Deno.test("smp: no schema falls back to merge patch semantics", () => {
  const out = applyStrategicMergePatch({ spec: { x: [1, 2], m: { a: 1 } } }, {
    spec: { x: [3], m: { b: 2 } },
  }, ctxFor("ConfigMap"));
  assert.deepEqual(out, { spec: { x: [3], m: { a: 1, b: 2 } } });
});

Deno.test("smp: bad directives and missing merge keys are 400", () => {
  const bad = (patch: JsonObject) =>
    assert.throws(
      () => applyStrategicMergePatch(deployment(), patch, ctxFor("Deployment")),
      (e) => e instanceof ApiError && e.code === 400,
    );
  bad({ metadata: { labels: { $patch: "explode" } } });
  bad({ spec: { template: { spec: { containers: [{ image: "no-name" }] } } } });
  bad({ spec: { template: { spec: { "$setElementOrder/containers": "x" } } } });
  assert.throws(
    () => applyStrategicMergePatch(deployment(), [] as unknown as JsonObject, ctxFor("Deployment")),
    (e) => e instanceof ApiError && e.code === 400,
  );
});

Deno.test("smp: ports merge by containerPort; service ports by port", () => {
  const pod: JsonObject = {
    spec: { containers: [{ name: "a", ports: [{ containerPort: 80 }, { containerPort: 81 }] }] },
  };
  const out = applyStrategicMergePatch(pod, {
    spec: { containers: [{ name: "a", ports: [{ containerPort: 81, name: "x" }] }] },
  }, ctxFor("Pod"));
  // deno-lint-ignore no-explicit-any -- test navigation
  assert.deepEqual((out as any).spec.containers[0].ports, [
    { containerPort: 80 },
    { containerPort: 81, name: "x" },
  ]);
  const svc = applyStrategicMergePatch({ spec: { ports: [{ port: 80, name: "http" }] } }, {
    spec: { ports: [{ port: 443, name: "https" }] },
  }, ctxFor("Service"));
  // deno-lint-ignore no-explicit-any -- test navigation
  assert.deepEqual((svc as any).spec.ports.map((p: JsonObject) => p.port), [80, 443]);
});
