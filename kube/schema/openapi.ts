/**
 * `/openapi/v3`: one OpenAPI 3.0 document per group-version, plus the index kubectl reads
 * first. kubectl needs, per kind, a PATCH operation tagged with the kind and a `fieldValidation`
 * parameter (or it refuses `create -f`/`apply -f`), and `components.schemas` for `explain` and
 * strategic-merge keys.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { ResourceInfo } from "../../server/registry/types.ts";
import type { GroupVersionKind } from "../types.ts";
import { listOf, META } from "./dsl.ts";
import { buildPaths } from "./openapi_paths.ts";
import { REF_PREFIX, type Schema, type SchemaSet } from "./types.ts";

/** One served document: its JSON text and the content hash used in `?hash=`. */
export interface OpenApiDocument {
  json: string;
  /** Uppercase hex SHA-512 of `json`, as upstream uses. */
  hash: string;
}

/** The `/openapi/v3` index and the documents it points to. */
export interface OpenApiV3 {
  /** Body of `GET /openapi/v3`. */
  index: { paths: Record<string, { serverRelativeURL: string }> };
  /** Keyed `api/v1` or `apis/<group>/<version>`; served at `/openapi/v3/<key>`. */
  documents: Map<string, OpenApiDocument>;
}

/** Shared schemas every document carries, because operations reference them. */
const SHARED_SCHEMAS = [
  `${META}Status`,
  `${META}DeleteOptions`,
  `${META}Patch`,
  `${META}WatchEvent`,
];

/** Kinds that subresources take or return, beyond the resource's own kind. */
const SUBRESOURCE_SCHEMAS: Record<string, string> = {
  scale: "io.k8s.api.autoscaling.v1.Scale",
  binding: "io.k8s.api.core.v1.Binding",
  eviction: "io.k8s.api.policy.v1.Eviction",
  token: "io.k8s.api.authentication.v1.TokenRequest",
};

/**
 * Builds every group-version document. Pure and deterministic: the same resources and schemas
 * give byte-identical documents and hashes, whatever their order. Call it again whenever the
 * set of served resources changes (custom resources).
 *
 * @param resources The served resources, e.g. `BUILTIN_RESOURCES` plus custom resources.
 * @param schemas Schemas for every `schemaName` (a missing `<Kind>List` schema is generated).
 * @returns The index and the documents.
 * @example
 * ```ts
 * import { BUILTIN_RESOURCES } from "../../server/registry/catalog.ts";
 * import { BUILTIN_SCHEMAS, buildOpenApiV3 } from "./mod.ts";
 * const openapi = buildOpenApiV3(BUILTIN_RESOURCES, BUILTIN_SCHEMAS);
 * const apps = openapi.documents.get("apis/apps/v1"); // { json, hash }
 * ```
 */
export function buildOpenApiV3(resources: readonly ResourceInfo[], schemas: SchemaSet): OpenApiV3 {
  const byGroupVersion = new Map<string, ResourceInfo[]>();
  for (const resource of resources) {
    const key = groupVersionKey(resource);
    const list = byGroupVersion.get(key) ?? [];
    list.push(resource);
    byGroupVersion.set(key, list);
  }
  const documents = new Map<string, OpenApiDocument>();
  const index: OpenApiV3["index"] = { paths: {} };
  for (const key of [...byGroupVersion.keys()].sort()) {
    const json = JSON.stringify(buildDocument(byGroupVersion.get(key)!, schemas));
    const hash = createHash("sha512").update(json).digest("hex").toUpperCase();
    documents.set(key, { json, hash });
    index.paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
  }
  return { index, documents };
}

/** `api/v1` for the core group, `apis/<group>/<version>` otherwise. */
export function groupVersionKey(gv: { group: string; version: string }): string {
  return gv.group === "" ? `api/${gv.version}` : `apis/${gv.group}/${gv.version}`;
}

function buildDocument(resources: ResourceInfo[], schemas: SchemaSet): Record<string, unknown> {
  const sorted = [...resources].sort((a, b) => a.plural.localeCompare(b.plural));
  const available: SchemaSet = { ...schemas };
  const roots: string[] = [...SHARED_SCHEMAS];
  for (const resource of sorted) {
    const listName = `${resource.schemaName}List`;
    if (!available[listName]) available[listName] = listOf(gvkOf(resource), resource.schemaName);
    roots.push(resource.schemaName, listName);
    for (const sub of resource.subresources) {
      if (SUBRESOURCE_SCHEMAS[sub]) roots.push(SUBRESOURCE_SCHEMAS[sub]);
    }
  }
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: "v1.32.0" },
    paths: buildPaths(sorted),
    components: { schemas: closure(available, roots) },
  };
}

function gvkOf(resource: ResourceInfo): GroupVersionKind {
  return { group: resource.group, version: resource.version, kind: resource.kind };
}

/** Every schema reachable from `roots`, keyed in sorted order for stable output. */
export function closure(schemas: SchemaSet, roots: readonly string[]): SchemaSet {
  const seen = new Set<string>();
  const pending = roots.filter((name) => schemas[name]);
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    collectRefs(schemas[name], (ref) => {
      if (!seen.has(ref) && schemas[ref]) pending.push(ref);
    });
  }
  const out: SchemaSet = {};
  for (const name of [...seen].sort()) out[name] = schemas[name];
  return out;
}

function collectRefs(node: Schema | undefined, found: (name: string) => void): void {
  if (!node) return;
  if (node.$ref) found(node.$ref.slice(REF_PREFIX.length));
  node.allOf?.forEach((part) => collectRefs(part, found));
  if (node.items) collectRefs(node.items, found);
  if (typeof node.additionalProperties === "object") collectRefs(node.additionalProperties, found);
  if (node.properties) {
    for (const child of Object.values(node.properties)) collectRefs(child, found);
  }
}
