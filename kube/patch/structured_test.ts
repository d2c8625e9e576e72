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

/**
 * The field sets upstream records for these creates. They were checked equal, case by case, to
 * what the general comparison walk reported from an empty object before creates got their own
 * one-pass builder: nested structs left implicit (`f:spec` of the Pod), keyed lists by key with
 * the first of duplicates, sets by value, atomic lists whole, nulls and undeclared fields kept.
 */
const EXPECTED: Record<string, JsonValue> = {
  ConfigMap: {
    "f:apiVersion": {},
    "f:data": { ".": {}, "f:empty": {}, "f:hasOwnProperty": {}, "f:k": {}, "f:toString": {} },
    "f:kind": {},
    "f:metadata": {
      "f:annotations": {},
      "f:finalizers": { ".": {}, 'v:"x"': {}, 'v:"y"': {} },
      "f:labels": { ".": {}, "f:a": {}, "f:constructor": {} },
      "f:name": {},
    },
  },
  Pod: {
    "f:apiVersion": {},
    "f:kind": {},
    "f:metadata": { "f:name": {}, "f:undeclared": { ".": {}, "f:deep": {} } },
    "f:spec": {
      "f:containers": {
        'k:{"name":"side"}': { ".": {}, "f:image": {}, "f:name": {} },
        'k:{"name":"web"}': {
          ".": {},
          "f:args": {},
          "f:env": {
            ".": {},
            'k:{"name":"A"}': { ".": {}, "f:name": {}, "f:value": {} },
            'k:{"name":"B"}': { ".": {}, "f:name": {} },
          },
          "f:image": {},
          "f:name": {},
          "f:ports": {
            ".": {},
            'k:{"containerPort":443,"protocol":"TCP"}': {
              ".": {},
              "f:containerPort": {},
              "f:protocol": {},
            },
            'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:containerPort": {} },
          },
        },
      },
      "f:volumes": { ".": {}, 'k:{"name":"data"}': { ".": {}, "f:emptyDir": {}, "f:name": {} } },
    },
  },
  Deployment: {
    "f:apiVersion": {},
    "f:kind": {},
    "f:metadata": { "f:name": {} },
    "f:spec": {
      "f:replicas": {},
      "f:strategy": { "f:rollingUpdate": { "f:maxSurge": {} }, "f:type": {} },
      "f:template": {
        "f:spec": { "f:containers": { 'k:{"name":"c"}': { ".": {}, "f:name": {} } } },
      },
    },
  },
  Service: {
    "f:apiVersion": {},
    "f:kind": {},
    "f:metadata": { "f:name": {} },
    "f:spec": {
      "f:ports": {
        ".": {},
        'k:{"port":80,"protocol":"TCP"}': { ".": {}, "f:port": {} },
        'k:{"port":80,"protocol":"UDP"}': { ".": {}, "f:port": {}, "f:protocol": {} },
      },
      "f:selector": {},
    },
  },
};

Deno.test("a new object's fields are the ones upstream records for a create", () => {
  for (const [kind, object] of CASES) {
    const ctx = ctxFor(kind);
    assert.deepEqual(fieldsOfNewObject(ctx, object).toFieldsV1(), EXPECTED[kind], kind);
    // Comparing with no old version is the same create.
    assert.deepEqual(compareObjects(ctx, undefined, object).added.toFieldsV1(), EXPECTED[kind]);
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
