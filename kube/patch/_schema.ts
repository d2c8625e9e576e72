/**
 * Reads what the patch engines need out of the schema language: a field's schema, its strategic
 * merge metadata, and the structural type server-side apply walks with. Private to this
 * directory.
 *
 * @module
 */
import { resolveSchema, type Schema, type SchemaSet } from "../schema/types.ts";

/** The schemas to resolve `$ref`s against and the schema of the whole object. */
export interface SchemaContext {
  /** Named schemas (`components.schemas`). */
  schemas: SchemaSet;
  /** The top-level kind's schema, e.g. `io.k8s.api.apps.v1.Deployment`. */
  root: Schema;
}

/** Follows `$ref`/`allOf` wrappers. */
export function resolve(ctx: SchemaContext, node: Schema | undefined): Schema | undefined {
  return resolveSchema(ctx.schemas, node);
}

/**
 * An extension read from the referencing node first, then from what it resolves to: upstream
 * puts list extensions on the property, next to `items`, but a `$ref`'d type may carry its own.
 */
function extension<K extends keyof Schema>(
  ctx: SchemaContext,
  node: Schema | undefined,
  key: K,
): Schema[K] | undefined {
  for (let current = node, hops = 0; current && hops < 32; hops++) {
    if (current[key] !== undefined) return current[key];
    if (current.$ref) current = ctx.schemas[current.$ref.slice("#/components/schemas/".length)];
    else if (current.allOf?.length === 1) current = current.allOf[0];
    else break;
  }
  return undefined;
}

/** The schema of `key` inside the object schema `parent`, or undefined when unknown. */
export function fieldSchema(
  ctx: SchemaContext,
  parent: Schema | undefined,
  key: string,
): Schema | undefined {
  const node = resolve(ctx, parent);
  if (!node) return undefined;
  if (node.properties && Object.hasOwn(node.properties, key)) return node.properties[key];
  if (typeof node.additionalProperties === "object") return node.additionalProperties;
  return undefined;
}

/** The schema of a list's items. */
export function itemSchema(ctx: SchemaContext, node: Schema | undefined): Schema | undefined {
  return resolve(ctx, node)?.items;
}

/** Strategic merge patch metadata of one field. */
export interface PatchMeta {
  /** The field's (unresolved) schema, undefined when the field is unknown. */
  schema: Schema | undefined;
  /** `x-kubernetes-patch-strategy`, split on commas. */
  strategies: string[];
  /** `x-kubernetes-patch-merge-key`. */
  mergeKey?: string;
}

/** Strategic merge metadata of `key` in the object schema `parent`. */
export function patchMeta(ctx: SchemaContext, parent: Schema | undefined, key: string): PatchMeta {
  const schema = fieldSchema(ctx, parent, key);
  const strategy = extension(ctx, schema, "x-kubernetes-patch-strategy") ?? "";
  return {
    schema,
    strategies: strategy.split(",").map((s) => s.trim()).filter((s) => s !== ""),
    mergeKey: extension(ctx, schema, "x-kubernetes-patch-merge-key"),
  };
}

/** The structure server-side apply sees at one node. */
export type NodeType =
  /** A leaf: string, number, boolean, int-or-string. */
  | { kind: "scalar" }
  /** Owned and replaced as a whole (`x-kubernetes-list-type: atomic`, `map-type: atomic`). */
  | { kind: "atomic" }
  /** An object with declared fields; `extra` types undeclared ones (undefined = untyped). */
  | {
    kind: "struct";
    fields: Record<string, Schema>;
    extra: Schema | undefined;
    required: string[];
  }
  /** A granular map (`labels`): every key is owned on its own. */
  | { kind: "map"; elem: Schema | undefined }
  /** A list of scalars identified by value (`finalizers`). */
  | { kind: "set" }
  /** A list of objects identified by key fields (`containers` by `name`). */
  | { kind: "assoc"; keys: string[]; elem: Schema | undefined }
  /** No schema: objects are granular maps, lists are atomic (upstream's "deduced" type). */
  | { kind: "untyped" };

const SCALARS = new Set(["string", "integer", "number", "boolean"]);

const UNTYPED: NodeType = { kind: "untyped" };

/** Types already worked out, per schema set and node: schemas do not change once loaded. */
const nodeTypes = new WeakMap<SchemaSet, WeakMap<Schema, NodeType>>();

/** The structural type of a node (computed once per schema node; do not modify the result). */
export function nodeType(ctx: SchemaContext, node: Schema | undefined): NodeType {
  if (!node) return UNTYPED;
  let known = nodeTypes.get(ctx.schemas);
  if (!known) nodeTypes.set(ctx.schemas, known = new WeakMap());
  let type = known.get(node);
  if (!type) known.set(node, type = computeNodeType(ctx, node));
  return type;
}

function computeNodeType(ctx: SchemaContext, node: Schema): NodeType {
  const r = resolve(ctx, node);
  if (!r) return { kind: "untyped" };
  if (r.type === "array" || r.items) {
    const listType = extension(ctx, node, "x-kubernetes-list-type");
    if (listType === "atomic") return { kind: "atomic" };
    if (listType === "set") return { kind: "set" };
    const elem = r.items;
    if (listType === "map") {
      const keys = extension(ctx, node, "x-kubernetes-list-map-keys") ?? [];
      return keys.length ? { kind: "assoc", keys, elem } : { kind: "atomic" };
    }
    // Upstream derives list semantics from the strategic merge markers when no list type is set.
    const meta = extension(ctx, node, "x-kubernetes-patch-strategy") ?? "";
    const mergeKey = extension(ctx, node, "x-kubernetes-patch-merge-key");
    if (!meta.split(",").includes("merge")) return { kind: "atomic" };
    return mergeKey ? { kind: "assoc", keys: [mergeKey], elem } : { kind: "set" };
  }
  if (r["x-kubernetes-int-or-string"] || (r.type && SCALARS.has(r.type))) return { kind: "scalar" };
  if (extension(ctx, node, "x-kubernetes-map-type") === "atomic") return { kind: "atomic" };
  if (r.properties) {
    const extra = typeof r.additionalProperties === "object" ? r.additionalProperties : undefined;
    return { kind: "struct", fields: r.properties, extra, required: r.required ?? [] };
  }
  if (typeof r.additionalProperties === "object") {
    return { kind: "map", elem: r.additionalProperties };
  }
  return { kind: "untyped" };
}

/** Whether the schema declares `key` as a field of a struct (not a map key). */
export function isDeclared(type: NodeType, key: string): boolean {
  return type.kind === "struct" && Object.hasOwn(type.fields, key);
}

/** The schema of a child of an object-like node. */
export function childOf(type: NodeType, key: string): Schema | undefined {
  if (type.kind === "struct") {
    return Object.hasOwn(type.fields, key) ? type.fields[key] : type.extra;
  }
  if (type.kind === "map") return type.elem;
  return undefined;
}

/** A key field's schema default, used when an applied list item omits it (`protocol: TCP`). */
export function keyDefault(ctx: SchemaContext, elem: Schema | undefined, key: string): unknown {
  const field = fieldSchema(ctx, elem, key);
  return field?.default ?? resolve(ctx, field)?.default;
}
