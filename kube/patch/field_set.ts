/**
 * Sets of field paths, the unit of ownership in server-side apply, and their `FieldsV1`
 * encoding in `metadata.managedFields[].fieldsV1`:
 * `{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{}}}}}`.
 *
 * A path is a list of path elements spelled as FieldsV1 spells them: `f:<field>`,
 * `k:<json of key fields>` (list item by keys), `v:<json value>` (set item), `i:<index>`.
 * A set holds *members*; a node can have children without being a member itself (`f:spec`
 * above), and a member with children gets the `"."` entry.
 *
 * @module
 */
import type { JsonObject, JsonValue } from "../types.ts";
import { isObject } from "./_json.ts";

/** One path element in FieldsV1 spelling. */
export type PathElement = string;

/** A path from the object root. */
export type FieldPath = readonly PathElement[];

/**
 * Field elements made so far, so each name is spelt once: sets hash their elements, and a
 * string made anew is hashed anew, while the names (JSON keys) come with their hash cached.
 */
const fieldElements = new Map<string, PathElement>();

/**
 * Bounds {@link fieldElements}: map keys (labels, ConfigMap data) come from clients, in any
 * number and length. Only short names are kept, and a full cache starts again, so keys sent
 * once cannot keep the schema's names out for good.
 */
const MAX_CACHED_FIELD_ELEMENTS = 4096;
const MAX_CACHED_NAME_LENGTH = 64;

/** `f:<name>`: a field of an object. */
export function fieldElement(name: string): PathElement {
  let element = fieldElements.get(name);
  if (element === undefined) {
    element = `f:${name}`;
    if (name.length <= MAX_CACHED_NAME_LENGTH) {
      if (fieldElements.size >= MAX_CACHED_FIELD_ELEMENTS) fieldElements.clear();
      fieldElements.set(name, element);
    }
  }
  return element;
}

/** `k:{...}`: a list item identified by its key fields (sorted, compact JSON). */
export function keyElement(keys: Record<string, JsonValue>): PathElement {
  const sorted: JsonObject = {};
  for (const name of Object.keys(keys).sort()) sorted[name] = keys[name];
  return `k:${JSON.stringify(sorted)}`;
}

/** `v:<json>`: a set item identified by its value. */
export function valueElement(value: JsonValue): PathElement {
  return `v:${JSON.stringify(value)}`;
}

/** `i:<n>`: a list item identified by position. */
export function indexElement(index: number): PathElement {
  return `i:${index}`;
}

const CATEGORY: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

/** Upstream's element order: fields, then keys, values, indexes; each sorted. */
function compareElements(a: PathElement, b: PathElement): number {
  const ca = CATEGORY[a[0]] ?? 4;
  const cb = CATEGORY[b[0]] ?? 4;
  if (ca !== cb) return ca - cb;
  if (a[0] === "i") return Number(a.slice(2)) - Number(b.slice(2));
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Strings quoted, numbers and booleans bare, as upstream's value printer does. */
function scalarString(value: JsonValue): string {
  return JSON.stringify(value);
}

/**
 * A path as upstream prints it in conflict messages: `.spec.replicas`,
 * `.spec.containers[name="web"].image`, `.metadata.finalizers[="x"]`, `.spec.args[0]`.
 */
export function pathString(path: FieldPath): string {
  return path.map((pe) => {
    const body = pe.slice(2);
    switch (pe[0]) {
      case "f":
        return `.${body}`;
      case "k": {
        const keys = JSON.parse(body) as JsonObject;
        return `[${Object.entries(keys).map(([k, v]) => `${k}=${scalarString(v)}`).join(",")}]`;
      }
      case "v":
        return `[=${scalarString(JSON.parse(body))}]`;
      default:
        return `[${body}]`;
    }
  }).join("");
}

const NO_MEMBERS: ReadonlySet<PathElement> = new Set();
const NO_CHILDREN: ReadonlyMap<PathElement, FieldSet> = new Map();

/**
 * A set of field paths. Built with {@link FieldSet.insert}; the set operations return sets that
 * may share subtrees with their operands, so both then are read-only.
 */
export class FieldSet {
  // Both start as shared empty collections and get their own on the first write: most nodes of
  // a field set have members and no children, and every node allocated both before.
  #members: ReadonlySet<PathElement> = NO_MEMBERS;
  #children: ReadonlyMap<PathElement, FieldSet> = NO_CHILDREN;
  #readOnly = false;

  /**
   * Adds a path (mutates: for building a set).
   * @throws when the path runs through a subtree that a set operation shared.
   */
  insert(path: FieldPath): this {
    if (path.length === 0) return this;
    let parent = path.length > 1 ? this.#child(path[0]) : undefined;
    for (let i = 1; i < path.length - 1; i++) parent = parent!.#child(path[i]);
    (parent ?? this).#writable().#addMember(path[path.length - 1]);
    return this;
  }

  /** Adds `pe` as a member at this level (mutates: for building a set). */
  addMember(pe: PathElement): this {
    this.#writable().#addMember(pe);
    return this;
  }

  /**
   * Puts a set built on its own below `pe` (mutates: for building a set, one level at a time).
   * An empty set is left out; `pe` must have no subtree yet.
   */
  attachChild(pe: PathElement, child: FieldSet): this {
    if (child.#members.size === 0 && child.#children.size === 0) return this;
    if (this.#writable().#children.has(pe)) {
      throw new Error(`FieldSet.attachChild: ${pe} already has a subtree`);
    }
    this.#setChild(pe, child);
    return this;
  }

  #child(pe: PathElement): FieldSet {
    let child = this.#writable().#children.get(pe);
    if (!child) {
      child = new FieldSet();
      this.#setChild(pe, child);
    }
    return child;
  }

  #addMember(pe: PathElement): void {
    if (this.#members === NO_MEMBERS) this.#members = new Set();
    (this.#members as Set<PathElement>).add(pe);
  }

  #setChild(pe: PathElement, child: FieldSet): void {
    if (this.#children === NO_CHILDREN) this.#children = new Map();
    (this.#children as Map<PathElement, FieldSet>).set(pe, child);
  }

  #writable(): this {
    if (this.#readOnly) {
      throw new Error("FieldSet.insert: this part of the set is shared, read-only");
    }
    return this;
  }

  /** Whether the path itself is a member. */
  has(path: FieldPath): boolean {
    if (path.length === 0) return false;
    const node = this.#descend(path.slice(0, -1));
    return node !== undefined && node.#members.has(path[path.length - 1]);
  }

  /** Whether the path is a member or has members below it. */
  touches(path: FieldPath): boolean {
    if (this.has(path)) return true;
    const node = this.#descend(path);
    return node !== undefined && !node.isEmpty();
  }

  #descend(path: FieldPath): FieldSet | undefined {
    return path.reduce(
      (node: FieldSet | undefined, pe) => node === undefined ? undefined : node.#children.get(pe),
      this,
    );
  }

  /** The subtree below `pe` (empty when none); a part of this set, not a copy. */
  child(pe: PathElement): FieldSet {
    return this.#children.get(pe) ?? new FieldSet();
  }

  /** Whether the set has no members. */
  isEmpty(): boolean {
    if (this.#members.size > 0) return false;
    for (const child of this.#children.values()) if (!child.isEmpty()) return false;
    return true;
  }

  /** Members of either set. */
  union(other: FieldSet): FieldSet {
    if (other.isEmpty()) return this.#sealed();
    if (this.isEmpty()) return other.#sealed();
    const out = new FieldSet();
    for (const pe of this.#members) out.#addMember(pe);
    for (const pe of other.#members) out.#addMember(pe);
    for (const [pe, child] of this.#children) {
      const theirs = other.#children.get(pe);
      out.#setChild(pe, theirs ? child.union(theirs) : child.#sealed());
    }
    for (const [pe, child] of other.#children) {
      if (!this.#children.has(pe)) out.#setChild(pe, child.#sealed());
    }
    return out.#sealed();
  }

  /** Members of this set that are not members of `other`. */
  difference(other: FieldSet): FieldSet {
    return this.#combine(other, (theirs) => !theirs, (a, b) => a.difference(b), true);
  }

  /** Members of both sets. */
  intersection(other: FieldSet): FieldSet {
    return this.#combine(other, (theirs) => theirs, (a, b) => a.intersection(b), false);
  }

  /** Like {@link difference}, also dropping everything below a member of `other`. */
  recursiveDifference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const pe of this.#members) if (!other.#members.has(pe)) out.#addMember(pe);
    for (const [pe, child] of this.#children) {
      if (other.#members.has(pe)) continue;
      const theirs = other.#children.get(pe);
      const kept = theirs ? child.recursiveDifference(theirs) : child.#sealed();
      if (!kept.isEmpty()) out.#setChild(pe, kept);
    }
    return out.#sealed();
  }

  #combine(
    other: FieldSet,
    keepMember: (inOther: boolean) => boolean,
    recurse: (a: FieldSet, b: FieldSet) => FieldSet,
    keepUnmatchedChildren: boolean,
  ): FieldSet {
    const out = new FieldSet();
    for (const pe of this.#members) {
      if (keepMember(other.#members.has(pe))) out.#addMember(pe);
    }
    for (const [pe, child] of this.#children) {
      const theirs = other.#children.get(pe);
      const kept = theirs ? recurse(child, theirs) : keepUnmatchedChildren ? child.#sealed() : null;
      if (kept && !kept.isEmpty()) out.#setChild(pe, kept);
    }
    return out.#sealed();
  }

  /**
   * Marks the set read-only and returns it. Results of set operations share the subtrees they
   * did not change with their operands (a create's field set was copied whole three times
   * before); sealing keeps a later `insert` from changing another set through a shared subtree.
   */
  #sealed(): this {
    // A node is sealed with everything below it, so a write through any path into a shared
    // subtree meets a sealed node; an already sealed node's subtree is sealed already.
    if (this.#readOnly) return this;
    this.#readOnly = true;
    for (const child of this.#children.values()) child.#sealed();
    return this;
  }

  /** Every member path, in upstream's order (a level's members, then its children). */
  paths(prefix: FieldPath = []): FieldPath[] {
    const out: FieldPath[] = [...this.#members].sort(compareElements).map((pe) => [...prefix, pe]);
    for (const pe of [...this.#children.keys()].sort(compareElements)) {
      out.push(...this.#children.get(pe)!.paths([...prefix, pe]));
    }
    return out;
  }

  /** The FieldsV1 JSON form, keys in upstream's order. */
  toFieldsV1(): JsonObject {
    return this.#writeFieldsV1({});
  }

  /** Writes this level into `out` (which may hold `"."` already) and returns it. */
  #writeFieldsV1(out: JsonObject): JsonObject {
    const keys = [...this.#members];
    for (const pe of this.#children.keys()) if (!this.#members.has(pe)) keys.push(pe);
    if (keys.length > 1) keys.sort(compareElements);
    for (const pe of keys) {
      const child = this.#children.get(pe);
      if (child && !child.isEmpty()) {
        out[pe] = child.#writeFieldsV1(this.#members.has(pe) ? { ".": {} } : {});
      } else if (this.#members.has(pe)) {
        out[pe] = {};
      }
    }
    return out;
  }

  /** Reads the FieldsV1 JSON form; unreadable entries are skipped. */
  static fromFieldsV1(fields: JsonValue | undefined): FieldSet {
    const out = new FieldSet();
    if (!isObject(fields)) return out;
    for (const [pe, value] of Object.entries(fields)) {
      if (pe === "." || !/^[fkvi]:/.test(pe)) continue;
      if (isObject(value) && Object.keys(value).some((k) => k !== ".")) {
        if (Object.hasOwn(value, ".")) out.#addMember(pe);
        out.#setChild(pe, FieldSet.fromFieldsV1(value));
      } else {
        out.#addMember(pe);
      }
    }
    return out;
  }
}
