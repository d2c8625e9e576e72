/**
 * Patches and server-side apply: JSON patch (RFC 6902), JSON merge patch (RFC 7386),
 * strategic merge patch, and managedFields tracking for apply and ordinary writes.
 *
 * @module
 */
export {
  applyJsonPatch,
  decodeJsonPatch,
  type JsonPatchOperation,
  parseJsonPointer,
} from "./json_patch.ts";
export { applyMergePatch } from "./merge_patch.ts";
export { applyStrategicMergePatch, type StrategicMergeContext } from "./strategic_merge_patch.ts";
export {
  applyConflictError,
  LAST_APPLIED_ANNOTATION,
  serverSideApply,
  type ServerSideApplyOptions,
  type ServerSideApplyResult,
} from "./apply.ts";
export {
  decodeManagedFields,
  defaultResetFields,
  encodeManagedFields,
  type ManagerFields,
  recordUpdate,
  type RecordUpdateOptions,
} from "./managed_fields.ts";
export { type FieldPath, FieldSet, pathString } from "./field_set.ts";
export type { SchemaContext } from "./_schema.ts";
