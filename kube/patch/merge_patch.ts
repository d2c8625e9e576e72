/**
 * JSON Merge Patch (RFC 7386), the body of `application/merge-patch+json` requests: objects
 * merge recursively, `null` deletes, everything else (lists included) replaces.
 *
 * @module
 */
import type { JsonObject, JsonValue } from "../types.ts";
import { clone, isObject, withoutNulls } from "./_json.ts";

/**
 * Applies an RFC 7386 merge patch. The inputs are never modified.
 *
 * @param target The current document (`undefined` when there is none).
 * @param patch The merge patch.
 * @returns The patched copy.
 * @example
 * ```ts
 * applyMergePatch({ a: 1, b: { c: 2 } }, { a: null, b: { d: 3 } }); // { b: { c: 2, d: 3 } }
 * ```
 */
export function applyMergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  return mergeInto(clone(target), patch);
}

/** Merges into `target`, which the caller owns. */
function mergeInto(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (isObject(value)) out[key] = mergeInto(out[key], value);
    else out[key] = withoutNulls(value);
  }
  return out;
}
