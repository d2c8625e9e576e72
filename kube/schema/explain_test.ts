import assert, { deepStrictEqual as assertEquals } from "node:assert/strict";
import { BUILTIN_RESOURCES } from "../../server/registry/catalog.ts";
import { BUILTIN_SCHEMAS } from "./builtin.ts";
import { buildOpenApiV3 } from "./openapi.ts";
import { REF_PREFIX, resolveSchema, type Schema, type SchemaSet } from "./types.ts";

const OPENAPI = buildOpenApiV3(BUILTIN_RESOURCES, BUILTIN_SCHEMAS);

function componentsOf(key: string): SchemaSet {
  return JSON.parse(OPENAPI.documents.get(key)!.json).components.schemas;
}

/**
 * What `kubectl explain <kind>.<path>` reads: the schema tagged with the kind, then each field,
 * following `$ref`/`allOf` and array items. Returns the field's own description and the fields
 * of the type it holds.
 */
function explain(
  key: string,
  gvk: { group: string; version: string; kind: string },
  path: string[],
): { description: string; type: string; fields: string[] } {
  const schemas = componentsOf(key);
  const root = Object.entries(schemas).find(([, schema]) =>
    schema["x-kubernetes-group-version-kind"]?.some((g) =>
      g.group === gvk.group && g.version === gvk.version && g.kind === gvk.kind
    )
  );
  assert(root, `no schema for ${gvk.kind}`);
  let field: Schema = { $ref: REF_PREFIX + root[0] };
  let description = root[1].description ?? "";
  for (const name of path) {
    let holder = resolveSchema(schemas, field)!;
    if (holder.type === "array") holder = resolveSchema(schemas, holder.items)!;
    const next = holder.properties?.[name];
    assert(next, `${gvk.kind}: no field ${name}`);
    field = next;
    description = next.description ?? "";
  }
  let target = resolveSchema(schemas, field)!;
  const type = target.type === "array"
    ? `[]${refName(field.items ?? target.items)}`
    : refName(field) || target.type!;
  if (target.type === "array") target = resolveSchema(schemas, target.items)!;
  return { description, type, fields: Object.keys(target.properties ?? {}) };
}

function refName(node: Schema | undefined): string {
  const ref = node?.$ref ?? node?.allOf?.[0]?.$ref;
  return ref ? ref.slice(ref.lastIndexOf(".") + 1) : "";
}

Deno.test("explain: pod.spec.containers shows a description and the Container fields", () => {
  const result = explain("api/v1", { group: "", version: "v1", kind: "Pod" }, [
    "spec",
    "containers",
  ]);
  assert(result.description.length > 10);
  assertEquals(result.type, "[]Container");
  for (
    const name of [
      "name",
      "image",
      "command",
      "args",
      "env",
      "ports",
      "resources",
      "volumeMounts",
      "livenessProbe",
    ]
  ) {
    assert(result.fields.includes(name), name);
  }
});

Deno.test("explain: deep paths resolve through references and arrays", () => {
  const deployment = { group: "apps", version: "v1", kind: "Deployment" };
  const probe = explain("apis/apps/v1", deployment, [
    "spec",
    "template",
    "spec",
    "containers",
    "livenessProbe",
    "httpGet",
  ]);
  assertEquals(probe.fields, ["host", "httpHeaders", "path", "port", "scheme"]);
  const strategy = explain("apis/apps/v1", deployment, [
    "spec",
    "strategy",
    "rollingUpdate",
    "maxSurge",
  ]);
  assertEquals(strategy.type, "IntOrString");
  assert(strategy.description.includes("percentage"));
});

Deno.test("explain: every top-level kind has a description and a metadata field", () => {
  for (const r of BUILTIN_RESOURCES) {
    const key = r.group === "" ? "api/v1" : `apis/${r.group}/${r.version}`;
    const result = explain(key, r, []);
    assert(result.description, r.kind);
    assert(result.fields.includes("metadata"), r.kind);
    assert(result.fields.includes("apiVersion"), r.kind);
  }
});
