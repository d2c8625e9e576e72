/**
 * `metadata.managedFields`: decoding and encoding the per-manager field sets, the fields no
 * manager ever owns, and {@link recordUpdate}, which the REST store calls on every write that
 * is not an apply (create, update, patch) to attribute what changed to the writer.
 *
 * An entry is identified by manager, operation and subresource, plus apiVersion for `Update`
 * (an applier keeps one entry whatever version it applies with). Entries are ordered as
 * upstream orders them: `Apply` before `Update`, then by time, manager, apiVersion, subresource.
 *
 * @module
 */
import type { KubeObject, ManagedFieldsEntry } from "../types.ts";
import { clone, deepEqual, isObject } from "./_json.ts";
import type { SchemaContext } from "./_schema.ts";
import { fieldElement, type FieldPath, FieldSet } from "./field_set.ts";
import { compareObjects } from "./structured.ts";

/** One manager's ownership, decoded. */
export interface ManagerFields {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  subresource?: string;
  /** RFC 3339, seconds precision. */
  time?: string;
  fields: FieldSet;
}

/** The identity upstream merges entries by. */
export function managerKey(m: Omit<ManagerFields, "fields" | "time">): string {
  return JSON.stringify([
    m.manager,
    m.operation,
    m.operation === "Update" ? m.apiVersion : "",
    m.subresource ?? "",
  ]);
}

/** Decodes `metadata.managedFields`; entries with the same identity are united. */
export function decodeManagedFields(entries: ManagedFieldsEntry[] | undefined): ManagerFields[] {
  if (!entries?.length) return [];
  const byKey = new Map<string, ManagerFields>();
  for (const entry of entries) {
    if (typeof entry !== "object" || entry === null) continue;
    const decoded: ManagerFields = {
      manager: entry.manager ?? "",
      operation: entry.operation === "Apply" ? "Apply" : "Update",
      apiVersion: entry.apiVersion ?? "",
      fields: FieldSet.fromFieldsV1(entry.fieldsV1),
    };
    if (entry.subresource) decoded.subresource = entry.subresource;
    if (entry.time) decoded.time = entry.time;
    const key = managerKey(decoded);
    const seen = byKey.get(key);
    if (seen) seen.fields = seen.fields.union(decoded.fields);
    else byKey.set(key, decoded);
  }
  return [...byKey.values()];
}

function seconds(time: string | undefined): number {
  return time ? Math.floor(Date.parse(time) / 1000) : 0;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Encodes managers into `metadata.managedFields`, in upstream's order. */
export function encodeManagedFields(managers: ManagerFields[]): ManagedFieldsEntry[] {
  const sorted = [...managers].sort((p, q) =>
    compareText(p.operation, q.operation) ||
    seconds(p.time) - seconds(q.time) ||
    compareText(p.manager, q.manager) ||
    compareText(p.apiVersion, q.apiVersion) ||
    compareText(p.subresource ?? "", q.subresource ?? "")
  );
  return sorted.map((m) => {
    const entry: ManagedFieldsEntry = {
      manager: m.manager,
      operation: m.operation,
      apiVersion: m.apiVersion,
    };
    if (m.time) entry.time = m.time;
    entry.fieldsType = "FieldsV1";
    entry.fieldsV1 = m.fields.toFieldsV1();
    if (m.subresource) entry.subresource = m.subresource;
    return entry;
  });
}

/** The last second formatted: writes come many to a second. */
let formatted = { second: NaN, text: "" };

/** A timestamp as managedFields carries it: RFC 3339, whole seconds, UTC. */
export function formatTime(now: Date): string {
  const second = Math.floor(now.getTime() / 1000);
  if (second !== formatted.second) {
    formatted = { second, text: new Date(second * 1000).toISOString().replace(".000Z", "Z") };
  }
  return formatted.text;
}

/** Metadata that is the server's, never a manager's (upstream's "strip meta" set). */
const SERVER_OWNED: FieldPath[] = [
  ["f:apiVersion"],
  ["f:kind"],
  ["f:metadata"],
  ...[
    "name",
    "namespace",
    "creationTimestamp",
    "selfLink",
    "uid",
    "clusterName",
    "generation",
    "managedFields",
    "resourceVersion",
  ].map((f) => ["f:metadata", fieldElement(f)]),
];

const MAIN_RESET: FieldPath[] = [["f:status"]];
const STATUS_RESET: FieldPath[] = [["f:spec"]];

/**
 * The default reset fields: what a write through this endpoint can never set. The main
 * resource does not own `status`; the status subresource does not own `spec`.
 */
export function defaultResetFields(subresource?: string): FieldPath[] {
  return subresource === "status" ? STATUS_RESET : MAIN_RESET;
}

/** Sets built once: the set operations never change their operands. */
const SERVER_OWNED_SET = SERVER_OWNED.reduce((set, path) => set.insert(path), new FieldSet());
const resetSets = new Map<string, FieldSet>();
const resetSetsByList = new WeakMap<FieldPath[], FieldSet>();

function resetSetOf(resetFields: FieldPath[]): FieldSet {
  const known = resetSetsByList.get(resetFields);
  if (known) return known;
  const key = JSON.stringify(resetFields);
  let set = resetSets.get(key);
  if (!set) {
    set = resetFields.reduce((s, path) => s.insert(path), new FieldSet());
    // Reset fields come from a handful of strategies; the bound only guards against misuse.
    if (resetSets.size < 64) resetSets.set(key, set);
  }
  resetSetsByList.set(resetFields, set);
  return set;
}

/** Drops server-owned metadata and everything under the reset fields from a set. */
export function withoutIgnored(set: FieldSet, resetFields: FieldPath[]): FieldSet {
  return set.difference(SERVER_OWNED_SET).recursiveDifference(resetSetOf(resetFields));
}

/** An object without `metadata.managedFields`, for comparisons. */
export function stripManagedFields(obj: KubeObject): KubeObject {
  const copy = clone(obj);
  if (isObject(copy.metadata)) delete copy.metadata.managedFields;
  return copy;
}

/**
 * A read-only view of an object without `metadata.managedFields`: shares everything else with
 * `obj` (only top level and metadata are copied), for comparisons that keep no references.
 */
function viewWithoutManagedFields(obj: KubeObject): KubeObject {
  if (!isObject(obj.metadata) || obj.metadata.managedFields === undefined) return obj;
  const { managedFields: _, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/** Whether a client asked to clear managedFields (`[]` or `[{}]`). */
function isReset(entries: ManagedFieldsEntry[] | undefined): boolean {
  if (!Array.isArray(entries)) return false;
  return entries.length === 0 || (entries.length === 1 && deepEqual(entries[0], {}));
}

/** Options of {@link recordUpdate}. */
export interface RecordUpdateOptions {
  /** The stored object before the write; absent on create. */
  old?: KubeObject;
  /** The object about to be stored (after patching, defaulting and the strategy). */
  updated: KubeObject;
  /** From `?fieldManager=`, else derived from the User-Agent (`kubectl-edit`). */
  manager: string;
  /** Always `Update`: applies go through `serverSideApply`. */
  operation?: "Update";
  /** The apiVersion of the request (`apps/v1`). */
  apiVersion: string;
  /** The write's time. */
  now: Date;
  /** `status`, `scale`, ...; absent for the main resource. */
  subresource?: string;
  /** The schemas of the kind. */
  ctx: SchemaContext;
  /** Ignored subtrees; defaults to {@link defaultResetFields}. */
  resetFields?: FieldPath[];
}

/**
 * The new `metadata.managedFields` after a non-apply write: the fields the write added or
 * changed move to `manager` (taken from any other manager, as upstream's Update always
 * forces), removed fields leave every manager, and `manager`'s entry gets the write's time if
 * it took anything. Managed fields sent by the client are honoured (not on subresources); an
 * empty list or `[{}]` clears them.
 *
 * @returns The entries to store; an empty list means "omit managedFields".
 * @example
 * ```ts
 * updated.metadata.managedFields = recordUpdate({
 *   old, updated, manager: "kubectl-edit", apiVersion: "apps/v1", now: new Date(), ctx,
 * });
 * ```
 */
export function recordUpdate(options: RecordUpdateOptions): ManagedFieldsEntry[] {
  const { old, updated, subresource } = options;
  const sent = updated.metadata?.managedFields;
  if (!subresource && isReset(sent)) return [];
  let managers = subresource ? [] : decodeManagedFields(sent);
  if (managers.length === 0) managers = decodeManagedFields(old?.metadata?.managedFields);
  const reset = options.resetFields ?? defaultResetFields(subresource);
  const diff = compareObjects(
    options.ctx,
    old ? viewWithoutManagedFields(old) : undefined,
    viewWithoutManagedFields(updated),
  );
  const taken = withoutIgnored(diff.added.union(diff.modified), reset);
  const removed = diff.removed;
  const self = {
    manager: options.manager,
    operation: "Update" as const,
    apiVersion: options.apiVersion,
    subresource,
  };
  const selfKey = managerKey(self);
  const next: ManagerFields[] = [];
  let previous: ManagerFields | undefined;
  for (const m of managers) {
    const fields = m.fields.difference(taken).difference(removed);
    if (managerKey(m) === selfKey) previous = { ...m, fields };
    else if (!fields.isEmpty()) next.push({ ...m, fields });
  }
  if (!taken.isEmpty()) {
    const fields = previous ? previous.fields.union(taken) : taken;
    next.push({ ...self, time: formatTime(options.now), fields });
  } else if (previous && !previous.fields.isEmpty()) {
    next.push(previous);
  }
  return encodeManagedFields(next);
}
