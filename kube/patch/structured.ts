/**
 * Schema-aware walks over objects for server-side apply: the set of fields an object sets,
 * what changed between two versions, the structural merge of an applied configuration into the
 * live object, and the removal of fields nobody owns any more.
 *
 * The schema decides granularity ({@link nodeType}): struct fields and granular map keys are
 * owned one by one, associative lists item by item (`k:`), sets by value (`v:`), atomic
 * nodes whole. Unknown parts fall back to upstream's "deduced" type: objects granular, lists
 * atomic.
 *
 * @module
 */
import type { Schema } from "../schema/types.ts";
import type { JsonObject, JsonValue } from "../types.ts";
import { clone, deepEqual, isObject, ownValue } from "./_json.ts";
import {
  childOf,
  isDeclared,
  keyDefault,
  type NodeType,
  nodeType,
  type SchemaContext,
} from "./_schema.ts";
import {
  fieldElement,
  type FieldPath,
  FieldSet,
  indexElement,
  keyElement,
  type PathElement,
  valueElement,
} from "./field_set.ts";

type Shape = "object" | "list" | "leaf";

function shapeOf(type: NodeType, value: JsonValue | undefined): Shape {
  if (
    isObject(value) && (type.kind === "struct" || type.kind === "map" || type.kind === "untyped")
  ) {
    return "object";
  }
  if (Array.isArray(value) && (type.kind === "assoc" || type.kind === "set")) return "list";
  return "leaf";
}

function itemElement(
  ctx: SchemaContext,
  type: NodeType,
  item: JsonValue,
  index: number,
): PathElement {
  if (type.kind === "set") return valueElement(item);
  if (type.kind === "assoc" && isObject(item)) {
    const keys: Record<string, JsonValue> = {};
    for (const name of type.keys) {
      const value = item[name] ?? keyDefault(ctx, type.elem, name);
      if (value !== undefined && value !== null) keys[name] = value as JsonValue;
    }
    if (Object.keys(keys).length > 0) return keyElement(keys);
  }
  return indexElement(index);
}

function elemSchema(type: NodeType): Schema | undefined {
  return type.kind === "assoc" ? type.elem : undefined;
}

/** List items by path element; the first of duplicates wins. */
function indexItems(
  ctx: SchemaContext,
  type: NodeType,
  list: JsonValue[],
): Map<PathElement, JsonValue> {
  const out = new Map<PathElement, JsonValue>();
  list.forEach((item, i) => {
    const pe = itemElement(ctx, type, item, i);
    if (!out.has(pe)) out.set(pe, item);
  });
  return out;
}

/**
 * The fields an object sets, as server-side apply owns them: leaves, list items, map keys,
 * undeclared fields, nulls and empty objects.
 */
export function fieldSetOf(ctx: SchemaContext, value: JsonValue): FieldSet {
  const set = new FieldSet();
  const walk = (node: JsonValue, schema: Schema | undefined, path: FieldPath): void => {
    const type = nodeType(ctx, schema);
    const shape = shapeOf(type, node);
    if (shape === "leaf") {
      set.insert(path);
    } else if (shape === "object") {
      for (const [key, child] of Object.entries(node as JsonObject)) {
        const childPath = [...path, fieldElement(key)];
        walk(child, childOf(type, key), childPath);
        const emptyObject = isObject(child) && Object.keys(child).length === 0;
        if (!isDeclared(type, key) || child === null || emptyObject) set.insert(childPath);
      }
    } else {
      (node as JsonValue[]).forEach((item, i) => {
        const childPath = [...path, itemElement(ctx, type, item, i)];
        walk(item, elemSchema(type), childPath);
        set.insert(childPath);
      });
    }
  };
  walk(value, ctx.root, []);
  return set;
}

/** What changed from one version of an object to the next. */
export interface Comparison {
  /** Present only in the new version. */
  added: FieldSet;
  /** Present in both with different values. */
  modified: FieldSet;
  /** Present only in the old version. */
  removed: FieldSet;
}

/**
 * The fields a new object sets, as upstream's managed fields record a create: compared with a
 * Go zero value, in which nested structs already exist, so those are not fields the writer
 * set (unless it set something in them). Built level by level in one pass: a create is the most
 * common write.
 */
export function fieldsOfNewObject(ctx: SchemaContext, value: JsonValue): FieldSet {
  // Adds `value`, found under `pe`, to its parent's set `into`.
  const add = (
    into: FieldSet,
    pe: PathElement,
    value: JsonValue | undefined,
    schema: Schema | undefined,
    implicit: boolean,
  ): void => {
    if (value === undefined) return;
    const type = nodeType(ctx, schema);
    const shape = shapeOf(type, value);
    if (shape === "leaf") {
      into.addMember(pe);
      return;
    }
    into.attachChild(pe, addChildren(new FieldSet(), value, type, shape, implicit));
    if (!implicit) into.addMember(pe);
  };
  const addChildren = (
    set: FieldSet,
    value: JsonValue,
    type: NodeType,
    shape: Shape,
    implicit: boolean,
  ): FieldSet => {
    if (shape === "object") {
      const object = value as JsonObject;
      for (const key of Object.keys(object)) {
        const child = childOf(type, key);
        add(
          set,
          fieldElement(key),
          object[key],
          child,
          implicit && zeroValued(ctx, type, key, child),
        );
      }
    } else {
      for (const [pe, item] of indexItems(ctx, type, value as JsonValue[])) {
        add(set, pe, item, elemSchema(type), false);
      }
    }
    return set;
  };
  const type = nodeType(ctx, ctx.root);
  const shape = shapeOf(type, value);
  return shape === "leaf" ? new FieldSet() : addChildren(new FieldSet(), value, type, shape, true);
}

/**
 * Whether a Go zero value of the parent struct serializes the field: nested structs and
 * required fields (the ones without omitempty, as far as the schema can tell).
 */
function zeroValued(
  ctx: SchemaContext,
  parent: NodeType,
  key: string,
  child: Schema | undefined,
): boolean {
  return parent.kind === "struct" && Object.hasOwn(parent.fields, key) &&
    (parent.required.includes(key) || nodeType(ctx, child).kind === "struct");
}

/** The keys of an absent side: shared, never written. */
const NO_KEYS: JsonObject = Object.freeze({}) as JsonObject;

/**
 * Compares two versions of an object field by field. An absent old version is a create: its
 * `added` are {@link fieldsOfNewObject}.
 */
export function compareObjects(
  ctx: SchemaContext,
  lhs: JsonValue | undefined,
  rhs: JsonValue | undefined,
): Comparison {
  const out: Comparison = {
    added: lhs === undefined && rhs !== undefined ? fieldsOfNewObject(ctx, rhs) : new FieldSet(),
    modified: new FieldSet(),
    removed: new FieldSet(),
  };
  if (lhs === undefined) return out;
  const walk = (
    l: JsonValue | undefined,
    r: JsonValue | undefined,
    schema: Schema | undefined,
    path: FieldPath,
  ): void => {
    if (l === undefined && r === undefined) return;
    const type = nodeType(ctx, schema);
    const ls = l === undefined ? undefined : shapeOf(type, l);
    const rs = r === undefined ? undefined : shapeOf(type, r);
    const shape = ls ?? rs;
    if (shape === "leaf" || (ls && rs && ls !== rs)) {
      if (l === undefined) out.added.insert(path);
      else if (r === undefined) out.removed.insert(path);
      else if (!deepEqual(l, r)) out.modified.insert(path);
      return;
    }
    if (shape === "object") {
      const lo = (l ?? NO_KEYS) as JsonObject;
      const ro = (r ?? NO_KEYS) as JsonObject;
      const visit = (key: string) => {
        walk(
          ownValue(lo, key),
          ownValue(ro, key),
          childOf(type, key),
          [...path, fieldElement(key)],
        );
      };
      // Keys of both sides, each once: the right side's, then those only on the left.
      for (const key of Object.keys(ro)) visit(key);
      if (l !== undefined) {
        for (const key of Object.keys(lo)) if (!Object.hasOwn(ro, key)) visit(key);
      }
    } else {
      const li = indexItems(ctx, type, (l ?? []) as JsonValue[]);
      const ri = indexItems(ctx, type, (r ?? []) as JsonValue[]);
      for (const pe of new Set([...li.keys(), ...ri.keys()])) {
        walk(li.get(pe), ri.get(pe), elemSchema(type), [...path, pe]);
      }
    }
    if (path.length === 0) return;
    if (l === undefined) out.added.insert(path);
    if (r === undefined) out.removed.insert(path);
  };
  walk(lhs, rhs, ctx.root, []);
  return out;
}

/**
 * Merges an applied configuration into the live object: applied values win, maps merge by
 * key, associative lists and sets merge by item identity. Live-only list items keep their
 * place; shared and new items follow the applied order. An applied `null` removes the field.
 */
export function mergeApplied(
  ctx: SchemaContext,
  live: JsonValue | undefined,
  applied: JsonValue,
): JsonValue {
  const merge = (l: JsonValue | undefined, r: JsonValue, schema: Schema | undefined): JsonValue => {
    if (l === undefined) return clone(r);
    const type = nodeType(ctx, schema);
    const ls = shapeOf(type, l);
    if (ls !== shapeOf(type, r) || ls === "leaf") return clone(r);
    if (ls === "object") {
      const out = clone(l) as JsonObject;
      for (const [key, value] of Object.entries(r as JsonObject)) {
        if (value === null) delete out[key];
        else out[key] = merge(ownValue(out, key), value, childOf(type, key));
      }
      return out;
    }
    return mergeLists(ctx, type, l as JsonValue[], r as JsonValue[], merge);
  };
  return merge(live, applied, ctx.root);
}

function mergeLists(
  ctx: SchemaContext,
  type: NodeType,
  lhs: JsonValue[],
  rhs: JsonValue[],
  merge: (l: JsonValue | undefined, r: JsonValue, schema: Schema | undefined) => JsonValue,
): JsonValue[] {
  const lPEs = lhs.map((item, i) => itemElement(ctx, type, item, i));
  const rPEs = rhs.map((item, i) => itemElement(ctx, type, item, i));
  const lItems = indexItems(ctx, type, lhs);
  const rItems = indexItems(ctx, type, rhs);
  // Shared items are placed in applied order; this is the next one due.
  const shared = rPEs.filter((pe) => lItems.has(pe));
  let due = 0;
  const out: JsonValue[] = [];
  const emitted = new Set<PathElement>();
  const emitApplied = (pe: PathElement) => {
    if (!emitted.has(pe)) out.push(merge(lItems.get(pe), rItems.get(pe)!, elemSchema(type)));
    emitted.add(pe);
    if (shared[due] === pe) due++;
  };
  let i = 0;
  let j = 0;
  while (i < lPEs.length || j < rPEs.length) {
    const lpe = lPEs[i];
    if (i < lPEs.length && j < rPEs.length) {
      if (lpe === rPEs[j]) {
        emitApplied(lpe);
        i++;
        j++;
        continue;
      }
      if (rItems.has(lpe) && due < shared.length && shared[due] !== lpe) {
        i++;
        continue;
      }
    }
    if (i < lPEs.length && (!rItems.has(lpe) || emitted.has(lpe))) {
      if (!rItems.has(lpe) && !emitted.has(lpe)) out.push(clone(lhs[i]));
      emitted.add(lpe);
      i++;
      continue;
    }
    if (j < rPEs.length) emitApplied(rPEs[j++]);
    else i++;
  }
  return out;
}

/**
 * Removes the members of `remove` from an object. Maps and lists left empty by the removal
 * disappear; structs stay (as upstream's typed objects would).
 */
export function removeFields(ctx: SchemaContext, value: JsonValue, remove: FieldSet): JsonValue {
  const prune = (node: JsonValue, set: FieldSet, schema: Schema | undefined): JsonValue => {
    const type = nodeType(ctx, schema);
    const shape = shapeOf(type, node);
    if (shape === "object") {
      const out: JsonObject = {};
      for (const [key, child] of Object.entries(node as JsonObject)) {
        const pe = fieldElement(key);
        if (set.has([pe])) continue;
        const below = set.child(pe);
        if (below.isEmpty()) {
          out[key] = child;
          continue;
        }
        const pruned = prune(child, below, childOf(type, key));
        if (!emptied(child, pruned, nodeType(ctx, childOf(type, key)))) out[key] = pruned;
      }
      return out;
    }
    if (shape === "list") {
      const out: JsonValue[] = [];
      (node as JsonValue[]).forEach((item, i) => {
        const pe = itemElement(ctx, type, item, i);
        if (set.has([pe])) return;
        const below = set.child(pe);
        out.push(below.isEmpty() ? item : prune(item, below, elemSchema(type)));
      });
      return out;
    }
    return node;
  };
  return prune(clone(value), remove, ctx.root);
}

function emptied(before: JsonValue, after: JsonValue, type: NodeType): boolean {
  if (type.kind === "struct") return false;
  const size = (v: JsonValue) =>
    Array.isArray(v) ? v.length : isObject(v) ? Object.keys(v).length : -1;
  return size(before) > 0 && size(after) === 0;
}
