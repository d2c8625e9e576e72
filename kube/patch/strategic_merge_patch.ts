/**
 * Strategic merge patch, the body of `application/strategic-merge-patch+json` requests and what
 * `kubectl apply` (client-side), `kubectl edit` and `kubectl patch` send by default.
 *
 * Like a JSON merge patch, except lists whose schema says `x-kubernetes-patch-strategy: merge`
 * merge item by item (by `x-kubernetes-patch-merge-key`, or by value for lists of scalars), and
 * the patch may carry directives:
 * - `$patch: replace | delete` in a map, and `{"$patch": "delete", <key>: v}` or
 *   `{"$patch": "replace"}` as list items;
 * - `$retainKeys: [...]` (drop every other key of the original map);
 * - `$setElementOrder/<list>: [...]` (the order kubectl wants the merged list in);
 * - `$deleteFromPrimitiveList/<list>: [...]` (remove these scalars).
 * Where the schema knows nothing about a field, it falls back to merge patch semantics.
 *
 * @module
 */
import { ApiError } from "../errors.ts";
import type { Schema, SchemaSet } from "../schema/types.ts";
import type { JsonObject, JsonValue } from "../types.ts";
import { clone, deepEqual, isObject, show, withoutNulls } from "./_json.ts";
import { itemSchema, type PatchMeta, patchMeta, type SchemaContext } from "./_schema.ts";

const DIRECTIVE = "$patch";
const RETAIN_KEYS = "$retainKeys";
const SET_ELEMENT_ORDER = "$setElementOrder/";
const DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList/";

/** Where the object's schema comes from. */
export interface StrategicMergeContext {
  /** Named schemas to resolve `$ref`s. */
  schemas: SchemaSet;
  /** The schema of the patched kind. */
  root: Schema;
}

function unprocessable(message: string): ApiError {
  return new ApiError(422, "Invalid", message, {});
}

/**
 * Applies a strategic merge patch. The inputs are never modified.
 *
 * @param original The current object.
 * @param patch The decoded patch body; must be a JSON object.
 * @param ctx The schemas giving merge keys and strategies.
 * @returns The patched copy.
 * @throws {ApiError} 400 for a malformed patch or directive, 422 for lists of lists.
 * @example
 * ```ts
 * const patched = applyStrategicMergePatch(pod, {
 *   spec: { containers: [{ name: "web", image: "nginx:2" }] },
 * }, { schemas, root: schemas["io.k8s.api.core.v1.Pod"] });
 * ```
 */
export function applyStrategicMergePatch(
  original: JsonObject,
  patch: JsonValue,
  ctx: StrategicMergeContext,
): JsonObject {
  if (!isObject(patch)) {
    throw ApiError.badRequest(
      `json: cannot unmarshal ${
        Array.isArray(patch) ? "array" : typeof patch
      } into Go value of type map[string]interface {}`,
    );
  }
  return mergeMap(clone(original), patch, ctx.root, ctx);
}

/** Merges `patch` into `original`, which the caller owns; `patch` is only read. */
function mergeMap(
  original: JsonObject,
  patch: JsonObject,
  schema: Schema | undefined,
  ctx: SchemaContext,
): JsonObject {
  if (Object.hasOwn(patch, DIRECTIVE)) {
    const { [DIRECTIVE]: directive, ...rest } = patch;
    if (directive === "delete") return {};
    if (directive === "replace") return mergeMap({}, rest, schema, ctx);
    if (directive !== "merge") {
      throw ApiError.badRequest(`unknown patch type: ${show(directive)} in map: ${show(patch)}`);
    }
    patch = rest;
  }
  applyRetainKeys(original, patch);
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      deleteFromPrimitiveList(original, key.slice(DELETE_FROM_PRIMITIVE_LIST.length), value);
    }
  }
  const ordered = new Set<string>();
  for (const [key, value] of Object.entries(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const field = key.slice(SET_ELEMENT_ORDER.length);
    applySetElementOrder(original, patch, field, value, patchMeta(ctx, schema, field), ctx);
    ordered.add(field);
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith("$") || ordered.has(key)) continue;
    if (value === null) {
      delete original[key];
      continue;
    }
    const meta = patchMeta(ctx, schema, key);
    const current = original[key];
    if (isObject(current) && isObject(value) && !meta.strategies.includes("replace")) {
      original[key] = mergeMap(current, value, meta.schema, ctx);
    } else if (Array.isArray(current) && Array.isArray(value)) {
      original[key] = mergeList(current, value, meta, ctx);
    } else {
      original[key] = fresh(value, meta, ctx);
    }
  }
  return original;
}

/**
 * A patch value with nothing to merge into, with its directives resolved (upstream copies the
 * value raw; resolving keeps `$patch` markers out of stored objects).
 */
function fresh(value: JsonValue, meta: PatchMeta, ctx: SchemaContext): JsonValue {
  if (isObject(value)) {
    if (meta.strategies.includes("replace")) return withoutNulls(value);
    return mergeMap({}, value, meta.schema, ctx);
  }
  if (Array.isArray(value)) return mergeList([], value, meta, ctx);
  return value;
}

function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!Object.hasOwn(patch, RETAIN_KEYS)) return;
  const retain = patch[RETAIN_KEYS];
  if (!Array.isArray(retain) || !retain.every((k) => typeof k === "string")) {
    throw ApiError.badRequest("invalid patch format of retainKeys");
  }
  const keep = new Set(retain as string[]);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || key.startsWith("$")) continue;
    if (!keep.has(key)) throw ApiError.badRequest("invalid patch format of retainKeys");
  }
  for (const key of Object.keys(original)) {
    if (!keep.has(key)) delete original[key];
  }
}

function deleteFromPrimitiveList(original: JsonObject, field: string, value: JsonValue): void {
  if (!Array.isArray(value) || value.some((v) => typeof v === "object" && v !== null)) {
    throw ApiError.badRequest("invalid patch format of primitive list");
  }
  const current = original[field];
  if (!Array.isArray(current)) return;
  original[field] = current.filter((item) => !value.some((gone) => deepEqual(gone, item)));
}

function applySetElementOrder(
  original: JsonObject,
  patch: JsonObject,
  field: string,
  order: JsonValue,
  meta: PatchMeta,
  ctx: SchemaContext,
): void {
  if (!Array.isArray(order)) {
    throw ApiError.badRequest("invalid patch format of setElementOrder list");
  }
  if (meta.mergeKey && !order.every((o) => isObject(o) && Object.hasOwn(o, meta.mergeKey!))) {
    throw ApiError.badRequest("invalid patch format of setElementOrder list");
  }
  const before = original[field];
  const live = Array.isArray(before) ? before : [];
  let merged = live;
  if (Object.hasOwn(patch, field)) {
    const value = patch[field];
    if (value === null) {
      delete original[field];
      return;
    }
    if (!Array.isArray(value)) {
      throw ApiError.badRequest("invalid patch format of setElementOrder list");
    }
    merged = mergeList(live, value, meta, ctx);
  }
  if (before === undefined && merged.length === 0) return;
  const same = identity(meta.mergeKey);
  const inOrder = merged.filter((item) => order.some((o) => same(o, item)));
  const others = merged.filter((item) => !order.some((o) => same(o, item)));
  original[field] = normalizeOrder(inOrder, others, order, live, same);
}

/** Merges a patch list into a live list per the field's strategy. */
function mergeList(
  live: JsonValue[],
  patch: JsonValue[],
  meta: PatchMeta,
  ctx: SchemaContext,
): JsonValue[] {
  if (!meta.strategies.includes("merge")) return clone(patch);
  if ([...live, ...patch].some(Array.isArray)) {
    throw unprocessable("lists of lists are not supported");
  }
  const first = patch.length ? patch[0] : live[0];
  if (!isObject(first)) {
    const same = identity(undefined);
    const merged: JsonValue[] = [];
    for (const item of [...live, ...patch]) {
      if (!merged.some((m) => same(m, item))) merged.push(clone(item));
    }
    const fromPatch = merged.filter((m) => patch.some((p) => same(p, m)));
    const serverOnly = merged.filter((m) => !patch.some((p) => same(p, m)));
    return normalizeOrder(fromPatch, serverOnly, patch, live, same);
  }
  const mergeKey = meta.mergeKey;
  if (!mergeKey) throw ApiError.badRequest("cannot merge lists without merge key");
  const elem = itemSchema(ctx, meta.schema);
  const same = identity(mergeKey);
  let base = live.map((item) => clone(item));
  const items: JsonObject[] = [];
  let replace = false;
  for (const item of patch) {
    if (!isObject(item)) {
      throw ApiError.badRequest(`unable to find api field in struct for ${show(item)}`);
    }
    if (!Object.hasOwn(item, DIRECTIVE)) {
      items.push(item);
      continue;
    }
    const directive = item[DIRECTIVE];
    if (directive === "delete") {
      if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
      base = base.filter((b) => !same(b, item));
    } else if (directive === "replace") {
      replace = true;
    } else if (directive === "merge") {
      throw ApiError.badRequest("merging lists cannot yet be specified in the patch");
    } else {
      throw ApiError.badRequest(`unknown patch type: ${show(directive)} in map: ${show(item)}`);
    }
  }
  if (replace) return items.map((item) => mergeMap({}, item, elem, ctx));
  for (const item of items) {
    if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
    const at = base.findIndex((b) => same(b, item));
    if (at >= 0 && isObject(base[at])) base[at] = mergeMap(base[at] as JsonObject, item, elem, ctx);
    else base.push(mergeMap({}, item, elem, ctx));
  }
  const fromPatch = base.filter((b) => items.some((p) => same(p, b)));
  const serverOnly = base.filter((b) => !items.some((p) => same(p, b)));
  return normalizeOrder(fromPatch, serverOnly, items, base, same);
}

function noMergeKey(item: JsonObject, mergeKey: string): ApiError {
  return ApiError.badRequest(`map: ${show(item)} does not contain declared merge key: ${mergeKey}`);
}

type Same = (a: JsonValue, b: JsonValue) => boolean;

/** Item identity: the merge key's value for lists of maps, the value itself for scalars. */
function identity(mergeKey: string | undefined): Same {
  if (!mergeKey) return (a, b) => deepEqual(a, b);
  return (a, b) =>
    isObject(a) && isObject(b) && a[mergeKey] !== undefined && deepEqual(a[mergeKey], b[mergeKey]);
}

function indexIn(list: JsonValue[], item: JsonValue, same: Same): number {
  return list.findIndex((candidate) => same(candidate, item));
}

/**
 * Orders a merged list the way upstream does: items the patch names follow the patch's order,
 * server-only items keep their live order, and the two are interleaved by their live positions
 * where both are known. Precedence: patch order over live order.
 */
function normalizeOrder(
  fromPatch: JsonValue[],
  serverOnly: JsonValue[],
  patchOrder: JsonValue[],
  liveOrder: JsonValue[],
  same: Same,
): JsonValue[] {
  const byIndex = (order: JsonValue[]) => (a: JsonValue, b: JsonValue) =>
    indexIn(order, a, same) - indexIn(order, b, same);
  const right = [...fromPatch].sort(byIndex(patchOrder));
  const left = [...serverOnly].sort(byIndex(liveOrder));
  const out: JsonValue[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(liveOrder, left[i], same);
      const ri = indexIn(liveOrder, right[j], same);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}
