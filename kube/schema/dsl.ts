/**
 * A small builder language for {@link Schema} nodes, so the definitions of the built-in kinds
 * read like the Go types they mirror: `obj({ name: str("..."), ports: arr(ref(...)) })`.
 *
 * @module
 */
import type { GroupVersionKind } from "../types.ts";
import { REF_PREFIX, type Schema, type SchemaSet } from "./types.ts";

/** Names of the shared apimachinery schemas. */
export const META = "io.k8s.apimachinery.pkg.apis.meta.v1.";
/** `resource.Quantity`: `"500m"`, `"1Gi"` or a plain number. */
export const QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";
/** `intstr.IntOrString`: a port number or a port name, an absolute count or a percentage. */
export const INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";

/** A string field. */
export function str(
  description?: string,
  options: { enum?: string[]; format?: string } = {},
): Schema {
  const node: Schema = { type: "string" };
  if (options.format) node.format = options.format;
  if (description) node.description = description;
  if (options.enum) node.enum = options.enum;
  return node;
}

/** A 32-bit integer field. */
export function int32(description?: string): Schema {
  return withDescription({ type: "integer", format: "int32" }, description);
}

/** A 64-bit integer field. */
export function int64(description?: string): Schema {
  return withDescription({ type: "integer", format: "int64" }, description);
}

/** A floating-point field. */
export function num(description?: string): Schema {
  return withDescription({ type: "number", format: "double" }, description);
}

/** A boolean field. */
export function bool(description?: string): Schema {
  return withDescription({ type: "boolean" }, description);
}

/** Binary data, carried as a base64 string in JSON. */
export function bytes(description?: string): Schema {
  return withDescription({ type: "string", format: "byte" }, description);
}

/**
 * A reference to a named schema. With a description it takes upstream's
 * `allOf: [{ $ref }]` shape, because OpenAPI 3.0 ignores siblings of a bare `$ref`.
 */
export function ref(name: string, description?: string): Schema {
  const target: Schema = { $ref: REF_PREFIX + name };
  return description ? { allOf: [target], description } : target;
}

/** A `metav1.Time` field (RFC 3339 timestamp). */
export function time(description?: string): Schema {
  return ref(`${META}Time`, description);
}

/** A `metav1.MicroTime` field (RFC 3339 timestamp with microseconds). */
export function microTime(description?: string): Schema {
  return ref(`${META}MicroTime`, description);
}

/** A `resource.Quantity` field. */
export function quantity(description?: string): Schema {
  return ref(QUANTITY, description);
}

/** An `intstr.IntOrString` field. */
export function intOrString(description?: string): Schema {
  return ref(INT_OR_STRING, description);
}

/** How a list merges under strategic merge patch and server-side apply. */
export interface ListOptions {
  description?: string;
  /** `x-kubernetes-patch-merge-key`. */
  mergeKey?: string;
  /** `x-kubernetes-patch-strategy`, e.g. `merge` or `merge,retainKeys`. */
  strategy?: string;
  /** `x-kubernetes-list-type`. */
  listType?: "atomic" | "set" | "map";
  /** `x-kubernetes-list-map-keys`; implies `listType: "map"`. */
  mapKeys?: string[];
}

/** An array field. */
export function arr(items: Schema, options: ListOptions = {}): Schema {
  const node: Schema = { type: "array", items };
  if (options.description) node.description = options.description;
  if (options.mergeKey) node["x-kubernetes-patch-merge-key"] = options.mergeKey;
  if (options.strategy) node["x-kubernetes-patch-strategy"] = options.strategy;
  const listType = options.listType ?? (options.mapKeys ? "map" : undefined);
  if (listType) node["x-kubernetes-list-type"] = listType;
  if (options.mapKeys) node["x-kubernetes-list-map-keys"] = options.mapKeys;
  return node;
}

/** An atomic list of strings, the most common list in the API (`command`, `args`, `verbs`). */
export function strs(description?: string): Schema {
  return arr(str(), { description, listType: "atomic" });
}

/**
 * A list of named items merged by `name` (containers, env, volumes), the second most common list.
 */
export function namedList(items: Schema, description?: string): Schema {
  return arr(items, { description, mergeKey: "name", strategy: "merge", mapKeys: ["name"] });
}

/** Conditions merged by `type`. */
export function conditions(
  item: string,
  description = "Latest observations of the object's state.",
): Schema {
  return arr(ref(item), { description, mergeKey: "type", strategy: "merge", mapKeys: ["type"] });
}

/** A map with string keys (`labels`, `data`, `capacity`). */
export function map(
  values: Schema,
  description?: string,
  options: { atomic?: boolean } = {},
): Schema {
  const node: Schema = { type: "object", additionalProperties: values };
  if (description) node.description = description;
  if (options.atomic) node["x-kubernetes-map-type"] = "atomic";
  return node;
}

/** A subtree accepted as is: rare volume sources, free-form data. */
export function preserve(description?: string): Schema {
  return withDescription(
    { type: "object", "x-kubernetes-preserve-unknown-fields": true },
    description,
  );
}

/** Options of a struct schema. */
export interface ObjectOptions {
  description?: string;
  required?: string[];
  /** `x-kubernetes-map-type: atomic`: apply treats the struct as one value. */
  atomic?: boolean;
}

/** A struct. */
export function obj(properties: Record<string, Schema>, options: ObjectOptions = {}): Schema {
  const node: Schema = { type: "object" };
  if (options.description) node.description = options.description;
  node.properties = properties;
  if (options.required?.length) node.required = options.required;
  if (options.atomic) node["x-kubernetes-map-type"] = "atomic";
  return node;
}

function apiVersionField(): Schema {
  return str("Versioned schema of this object, such as `apps/v1`; the server may convert others.");
}

function kindField(): Schema {
  return str("The REST resource this object represents, in CamelCase.");
}

function typeMeta(gvk: GroupVersionKind): Schema["x-kubernetes-group-version-kind"] {
  return [{ group: gvk.group, kind: gvk.kind, version: gvk.version }];
}

/**
 * A top-level kind: `apiVersion`, `kind` and `metadata` plus its own fields, tagged with
 * `x-kubernetes-group-version-kind`.
 */
export function kind(
  gvk: GroupVersionKind,
  description: string,
  properties: Record<string, Schema>,
  options: { required?: string[] } = {},
): Schema {
  const node = obj({
    apiVersion: apiVersionField(),
    kind: kindField(),
    metadata: ref(
      `${META}ObjectMeta`,
      "Standard object metadata: name, namespace, labels, annotations.",
    ),
    ...properties,
  }, { description, required: options.required });
  node["x-kubernetes-group-version-kind"] = typeMeta(gvk);
  return node;
}

/** The `<Kind>List` schema for the kind named `itemSchema`. */
export function listOf(gvk: GroupVersionKind, itemSchema: string): Schema {
  const node = obj({
    apiVersion: apiVersionField(),
    items: arr(ref(itemSchema), { description: `The ${gvk.kind} objects in the list.` }),
    kind: kindField(),
    metadata: ref(`${META}ListMeta`, "Standard list metadata: resourceVersion and continue token."),
  }, { description: `A list of ${gvk.kind} objects.`, required: ["items"] });
  node["x-kubernetes-group-version-kind"] = typeMeta({ ...gvk, kind: `${gvk.kind}List` });
  return node;
}

/** A kind and its list, named `<pkg>.<Kind>` and `<pkg>.<Kind>List`. */
export function kindWithList(
  pkg: string,
  gvk: GroupVersionKind,
  description: string,
  properties: Record<string, Schema>,
  options: { required?: string[] } = {},
): SchemaSet {
  const name = `${pkg}.${gvk.kind}`;
  return {
    [name]: kind(gvk, description, properties, options),
    [`${name}List`]: listOf(gvk, name),
  };
}

function withDescription(node: Schema, description: string | undefined): Schema {
  if (description) node.description = description;
  return node;
}
