/**
 * Field selector getters that read one string property by its path. Each names the property's
 * JSON key (`storedKey`, `spec.nodeName` -> `nodeName`), so a filtered list can pass over stored
 * objects whose text lacks `"nodeName":"<value>"` without decoding them
 * (apiserver/stored_text_filter.ts). The key is the last element of the path the getter reads,
 * so the two cannot disagree, as a separate table of keys could.
 *
 * @module
 */
import { isRecord } from "./printing.ts";
import type { FieldGetter } from "./types.ts";

/**
 * The getter of a string property at `path`; absent or null reads as "", as upstream's field
 * selectors read an empty string. Only for fields the schema types as strings: the text test
 * looks for the value as a JSON string.
 *
 * @example
 * ```ts
 * fieldSelectors: { "spec.nodeName": stringProperty("spec", "nodeName") }
 * ```
 */
export function stringProperty(...path: [string, ...string[]]): FieldGetter {
  const read = (obj: unknown): string => {
    let value = obj;
    for (const key of path) {
      if (!isRecord(value)) return "";
      value = value[key];
    }
    return value === undefined || value === null ? "" : String(value);
  };
  return Object.assign(read, { storedKey: path[path.length - 1] });
}
