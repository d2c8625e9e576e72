/**
 * Server-side apply (`PATCH` with `application/apply-patch+yaml`): the applied configuration
 * is merged into the live object, its fields become owned by the applier, fields the applier
 * owned before and dropped now are removed unless someone else owns them, and changing a
 * field another manager owns is a conflict unless `force` is set.
 *
 * @module
 */
import { ApiError } from "../errors.ts";
import type { FieldError, JsonValue, KubeObject } from "../types.ts";
import { clone, deepEqual, isObject } from "./_json.ts";
import type { SchemaContext } from "./_schema.ts";
import { type FieldPath, FieldSet, pathString } from "./field_set.ts";
import {
  decodeManagedFields,
  defaultResetFields,
  encodeManagedFields,
  formatTime,
  type ManagerFields,
  managerKey,
  stripManagedFields,
  withoutIgnored,
} from "./managed_fields.ts";
import { compareObjects, fieldSetOf, mergeApplied, removeFields } from "./structured.ts";

/** kubectl's client-side apply annotation, kept in sync when `kubectl` applies server-side. */
export const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";

/** Options of {@link serverSideApply}. */
export interface ServerSideApplyOptions {
  /** The stored object; absent when the apply creates it. */
  live?: KubeObject;
  /** The request body (YAML or JSON, decoded). */
  applied: KubeObject;
  /** `?fieldManager=` (required for apply). */
  manager: string;
  /** `?force=true`: take conflicting fields instead of failing. */
  force: boolean;
  /** The schemas of the kind. */
  ctx: SchemaContext;
  /** The request's apiVersion (`apps/v1`); the body must match it. */
  apiVersion: string;
  /** The write's time. */
  now: Date;
  /** `status`, `scale`, ...; absent for the main resource. */
  subresource?: string;
  /** Ignored subtrees; defaults to `status` for the main resource, `spec` for `status`. */
  resetFields?: FieldPath[];
}

/** The result of {@link serverSideApply}. */
export interface ServerSideApplyResult {
  /** The object to store, with its new `metadata.managedFields`. */
  object: KubeObject;
}

/** One field another manager owns with a different value. */
interface Conflict {
  manager: ManagerFields;
  path: FieldPath;
}

function describeManager(m: ManagerFields): string {
  let text = JSON.stringify(m.manager);
  if (m.subresource) text += ` with subresource ${JSON.stringify(m.subresource)}`;
  // Upstream identifies managers without their time, so its message never prints one.
  return m.operation === "Update" ? `${text} using ${m.apiVersion}` : text;
}

/**
 * The 409 upstream returns for apply conflicts, e.g.
 * `Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas`.
 */
export function applyConflictError(conflicts: Conflict[]): ApiError {
  const causes: FieldError[] = conflicts.map((c) => ({
    reason: "FieldManagerConflict",
    message: `conflict with ${describeManager(c.manager)}`,
    field: pathString(c.path),
  }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${
      describeManager(conflicts[0].manager)
    }: ${pathString(conflicts[0].path)}`;
  } else {
    const byManager = new Map<string, Conflict[]>();
    for (const c of conflicts) {
      const key = managerKey(c.manager);
      byManager.set(key, [...(byManager.get(key) ?? []), c]);
    }
    const lines: string[] = [];
    for (const key of [...byManager.keys()].sort()) {
      const group = byManager.get(key)!;
      lines.push(`conflicts with ${describeManager(group[0].manager)}:`);
      for (const c of group) lines.push(`- ${pathString(c.path)}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
  }
  return new ApiError(409, "Conflict", message, { causes });
}

function validateApplied(applied: KubeObject, apiVersion: string): void {
  if (!isObject(applied)) throw ApiError.badRequest("apply patch must be an object");
  if (applied.apiVersion !== apiVersion) {
    throw ApiError.badRequest(
      `Incorrect version specified in apply patch. Specified patch version: ${
        applied.apiVersion ?? ""
      }, expected: ${apiVersion}`,
    );
  }
  const managed = isObject(applied.metadata) ? applied.metadata.managedFields : undefined;
  if (managed !== undefined && managed !== null) {
    throw ApiError.badRequest("metadata.managedFields must be nil");
  }
}

/**
 * Applies a configuration server-side. Pure: returns a new object, never touches its inputs.
 *
 * @returns The object to store (create it when `live` was absent).
 * @throws {ApiError} 400 for a body with the wrong apiVersion or with managedFields; 409
 * Conflict (causes with reason `FieldManagerConflict`) when the apply would change fields
 * other managers own and `force` is false.
 * @example
 * ```ts
 * const { object } = serverSideApply({
 *   live, applied, manager: "kubectl", force: false, ctx, apiVersion: "apps/v1", now: new Date(),
 * });
 * ```
 */
export function serverSideApply(options: ServerSideApplyOptions): ServerSideApplyResult {
  const { ctx, applied, manager, subresource } = options;
  validateApplied(applied, options.apiVersion);
  const reset = options.resetFields ?? defaultResetFields(subresource);
  const live = options.live ? stripManagedFields(options.live) : undefined;
  const managers = decodeManagedFields(options.live?.metadata?.managedFields);

  const self: ManagerFields = {
    manager,
    operation: "Apply",
    apiVersion: options.apiVersion,
    fields: withoutIgnored(fieldSetOf(ctx, applied as unknown as JsonValue), reset),
  };
  if (subresource) self.subresource = subresource;
  const selfKey = managerKey(self);
  const previous = managers.find((m) => managerKey(m) === selfKey);
  const others = managers.filter((m) => managerKey(m) !== selfKey);

  let merged = mergeApplied(ctx, live as unknown as JsonValue, applied as unknown as JsonValue);
  // Fields this applier dropped since its last apply go, unless someone still owns them.
  if (previous) {
    const owned = others.reduce((all, m) => all.union(m.fields), self.fields);
    const orphaned = new FieldSet();
    for (const path of previous.fields.paths()) {
      if (!owned.touches(path)) orphaned.insert(path);
    }
    merged = removeFields(ctx, merged, orphaned);
  }

  const diff = compareObjects(ctx, live as unknown as JsonValue, merged);
  const changed = withoutIgnored(diff.added.union(diff.modified), reset);
  const conflicts: Conflict[] = [];
  for (const m of others) {
    for (const path of m.fields.intersection(changed).paths()) conflicts.push({ manager: m, path });
  }
  if (conflicts.length > 0 && !options.force) throw applyConflictError(conflicts);

  const next: ManagerFields[] = [];
  for (const m of others) {
    const fields = m.fields.difference(changed).difference(diff.removed);
    if (!fields.isEmpty()) next.push({ ...m, fields });
  }
  const object = merged as unknown as KubeObject;
  const unchanged = live !== undefined && deepEqual(live, object);
  self.time = unchanged && previous?.time ? previous.time : formatTime(options.now);
  next.push(self);

  syncLastApplied(object, applied, manager);
  object.metadata = { ...object.metadata, managedFields: encodeManagedFields(next) };
  return { object };
}

/**
 * Upstream keeps kubectl's client-side annotation current when `kubectl` applies server-side,
 * so a later client-side apply computes the right patch.
 */
function syncLastApplied(object: KubeObject, applied: KubeObject, manager: string): void {
  const annotations = object.metadata?.annotations;
  if (manager !== "kubectl" || !annotations || !(LAST_APPLIED_ANNOTATION in annotations)) return;
  const config = clone(applied);
  if (config.metadata?.annotations) {
    delete config.metadata.annotations[LAST_APPLIED_ANNOTATION];
    if (Object.keys(config.metadata.annotations).length === 0) delete config.metadata.annotations;
  }
  object.metadata.annotations = {
    ...annotations,
    [LAST_APPLIED_ANNOTATION]: JSON.stringify(config),
  };
}
