import assert from "node:assert/strict";
import type { JsonValue } from "../types.ts";
import { compareObjects, fieldsOfNewObject } from "./structured.ts";
import { ctxFor } from "./_test_schemas.ts";

/** Objects with every shape the walk distinguishes, per kind of the test schemas. */
const CASES: [Parameters<typeof ctxFor>[0], JsonValue][] = [
  ["ConfigMap", {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: "c",
      labels: { a: "1", constructor: "x" },
      annotations: {},
      finalizers: ["x", "y"],
    },
    data: { k: "v", empty: "", toString: "t", hasOwnProperty: "h" },
  }],
  ["Pod", {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", undeclared: { deep: true } },
    spec: {
      containers: [
        {
          name: "web",
          image: "nginx",
          args: ["a", "b"],
          env: [{ name: "A", value: "1" }, { name: "B" }, { name: "A", value: "dup" }],
          ports: [{ containerPort: 80 }, { containerPort: 443, protocol: "TCP" }],
        },
        { name: "side", image: null },
      ],
      volumes: [{ name: "data", emptyDir: {} }],
    },
  }],
  ["Deployment", {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "d" },
    spec: {
      replicas: 2,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } },
      template: { metadata: {}, spec: { containers: [{ name: "c" }] } },
    },
  }],
  ["Service", {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "s" },
    spec: { ports: [{ port: 80 }, { port: 80, protocol: "UDP" }], selector: { app: "x" } },
  }],
];

Deno.test("a new object's fields are what comparing it with an empty object adds", () => {
  for (const [kind, object] of CASES) {
    const ctx = ctxFor(kind);
    const expected = compareObjects(ctx, undefined, object, { fromEmpty: true }).added;
    const built = fieldsOfNewObject(ctx, object);
    assert.deepEqual(built.toFieldsV1(), expected.toFieldsV1(), kind);
    assert.deepEqual(built.paths(), expected.paths(), kind);
  }
});

Deno.test("keys named like Object.prototype members compare as plain keys", () => {
  const ctx = ctxFor("ConfigMap");
  const old = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "c" },
    data: { toString: "t" },
  };
  const updated = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "c" },
    data: { a: "1" },
  };
  const diff = compareObjects(ctx, old, updated);
  assert.deepEqual(diff.removed.toFieldsV1(), { "f:data": { "f:toString": {} } });
  assert.deepEqual(diff.added.toFieldsV1(), { "f:data": { "f:a": {} } });
  assert.deepEqual(diff.modified.toFieldsV1(), {});
});
