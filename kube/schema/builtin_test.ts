import assert, { deepStrictEqual as assertEquals } from "node:assert/strict";
import { BUILTIN_RESOURCES } from "../../server/registry/catalog.ts";
import { BUILTIN_SCHEMAS } from "./builtin.ts";
import { REF_PREFIX, resolveSchema, type Schema } from "./types.ts";

function eachNode(node: Schema, visit: (node: Schema) => void): void {
  visit(node);
  node.allOf?.forEach((part) => eachNode(part, visit));
  if (node.items) eachNode(node.items, visit);
  if (typeof node.additionalProperties === "object") eachNode(node.additionalProperties, visit);
  for (const child of Object.values(node.properties ?? {})) eachNode(child, visit);
}

function field(schemaName: string, ...path: string[]): Schema {
  let node: Schema | undefined = BUILTIN_SCHEMAS[schemaName];
  for (const key of path) {
    const holder = resolveSchema(BUILTIN_SCHEMAS, node);
    node = key === "[]" ? holder?.items : holder?.properties?.[key];
    assert(node, `${schemaName}: no ${path.join(".")}`);
  }
  return node!;
}

Deno.test("builtin schemas: every catalog kind and its list exist and carry their group-version-kind", () => {
  for (const resource of BUILTIN_RESOURCES) {
    for (
      const [name, kind] of [[resource.schemaName, resource.kind], [
        `${resource.schemaName}List`,
        resource.listKind,
      ]]
    ) {
      const schema = BUILTIN_SCHEMAS[name];
      assert(schema, `missing ${name}`);
      assertEquals(schema["x-kubernetes-group-version-kind"], [
        { group: resource.group, kind, version: resource.version },
      ]);
    }
  }
});

Deno.test("builtin schemas: subresource and review kinds exist", () => {
  for (
    const name of [
      "io.k8s.api.autoscaling.v1.Scale",
      "io.k8s.api.authorization.v1.SelfSubjectAccessReview",
      "io.k8s.api.authorization.v1.SubjectAccessReview",
      "io.k8s.api.authorization.v1.SelfSubjectRulesReview",
      "io.k8s.api.authentication.v1.SelfSubjectReview",
      "io.k8s.api.authentication.v1.TokenReview",
      "io.k8s.api.authentication.v1.TokenRequest",
      "io.k8s.api.core.v1.Binding",
      "io.k8s.api.policy.v1.Eviction",
      "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
      "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
      "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent",
    ]
  ) {
    assert(BUILTIN_SCHEMAS[name]?.["x-kubernetes-group-version-kind"], name);
  }
});

Deno.test("builtin schemas: every $ref resolves", () => {
  const dangling: string[] = [];
  for (const [name, schema] of Object.entries(BUILTIN_SCHEMAS)) {
    eachNode(schema, (node) => {
      if (node.$ref && !BUILTIN_SCHEMAS[node.$ref.slice(REF_PREFIX.length)]) {
        dangling.push(`${name} -> ${node.$ref}`);
      }
    });
  }
  assertEquals(dangling, []);
});

Deno.test("builtin schemas: every field and schema has a description", () => {
  const missing: string[] = [];
  for (const [name, schema] of Object.entries(BUILTIN_SCHEMAS)) {
    if (!schema.description) missing.push(name);
    for (const [key, child] of Object.entries(schema.properties ?? {})) {
      if (!child.description && !["apiVersion", "kind"].includes(key)) {
        missing.push(`${name}.${key}`);
      }
    }
  }
  assertEquals(missing, []);
});

Deno.test("builtin schemas: strategic merge keys follow upstream", () => {
  const pod = "io.k8s.api.core.v1.PodSpec";
  const container = "io.k8s.api.core.v1.Container";
  const cases: [Schema, string | undefined, string | undefined, string[] | undefined][] = [
    [field(pod, "containers"), "name", "merge", ["name"]],
    [field(pod, "initContainers"), "name", "merge", ["name"]],
    [field(pod, "volumes"), "name", "merge,retainKeys", ["name"]],
    [field(pod, "imagePullSecrets"), "name", "merge", ["name"]],
    [field(pod, "hostAliases"), "ip", "merge", ["ip"]],
    [field(container, "env"), "name", "merge", ["name"]],
    [field(container, "volumeMounts"), "mountPath", "merge", ["mountPath"]],
    [field(container, "ports"), "containerPort", "merge", ["containerPort", "protocol"]],
    [field("io.k8s.api.core.v1.ServiceSpec", "ports"), "port", "merge", ["port", "protocol"]],
    [field("io.k8s.api.apps.v1.DeploymentStatus", "conditions"), "type", "merge", ["type"]],
    [field("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "ownerReferences"), "uid", "merge", [
      "uid",
    ]],
  ];
  for (const [node, mergeKey, strategy, mapKeys] of cases) {
    assertEquals(
      [
        node["x-kubernetes-patch-merge-key"],
        node["x-kubernetes-patch-strategy"],
        node["x-kubernetes-list-map-keys"],
      ],
      [mergeKey, strategy, mapKeys],
    );
    assertEquals(node["x-kubernetes-list-type"], "map");
  }
  assertEquals(field(pod, "tolerations")["x-kubernetes-list-type"], "atomic");
  assertEquals(field(container, "args")["x-kubernetes-list-type"], "atomic");
  assertEquals(field(container, "command")["x-kubernetes-list-type"], "atomic");
  const finalizers = field("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "finalizers");
  assertEquals([finalizers["x-kubernetes-patch-strategy"], finalizers["x-kubernetes-list-type"]], [
    "merge",
    "set",
  ]);
});

Deno.test("builtin schemas: byte, time, quantity and int-or-string types match upstream", () => {
  const meta = "io.k8s.apimachinery.pkg.apis.meta.v1.";
  assertEquals(
    resolveSchema(BUILTIN_SCHEMAS, field("io.k8s.api.core.v1.Secret", "data"))
      ?.additionalProperties,
    {
      type: "string",
      format: "byte",
    },
  );
  assertEquals(BUILTIN_SCHEMAS[`${meta}Time`].format, "date-time");
  assertEquals(
    BUILTIN_SCHEMAS["io.k8s.apimachinery.pkg.util.intstr.IntOrString"].format,
    "int-or-string",
  );
  assert(
    BUILTIN_SCHEMAS["io.k8s.apimachinery.pkg.api.resource.Quantity"]["x-kubernetes-int-or-string"],
  );
  assertEquals(
    resolveSchema(BUILTIN_SCHEMAS, field("io.k8s.api.apps.v1.DeploymentSpec", "replicas"))?.format,
    "int32",
  );
});
