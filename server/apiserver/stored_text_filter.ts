/**
 * A cheap first pass over a filtered list: objects are stored as compact JSON, so an object that
 * has label `app=web` has the text `"app":"web"` somewhere in its stored value, and a pod on node
 * `n1` has `"nodeName":"n1"`. Looking for those texts rejects most non-matching objects without
 * decoding them; the ones that pass are decoded and matched properly. At 10,000 pods a
 * `fieldSelector=spec.nodeName=x` list decodes ten pods instead of ten thousand.
 *
 * @module
 */
import type { FieldSelectorMatcher } from "../../kube/selectors/fields.ts";
import type { LabelSelectorMatcher } from "../../kube/selectors/labels.ts";
import type { FieldGetter } from "../registry/types.ts";

/** Stored-text keys of the selectable fields every resource has. */
const METADATA_FIELD_KEYS: Readonly<Record<string, string>> = {
  "metadata.name": "name",
  "metadata.namespace": "namespace",
};

/** `"key":"value"` as the compact JSON encoder writes it. */
function jsonPair(key: string, value: string): string {
  return `${JSON.stringify(key)}:${JSON.stringify(value)}`;
}

/**
 * Builds the first pass for a list's selectors, or undefined when no requirement can be checked
 * on the text (only `=`/`in` requirements on labels and on fields with a known stored key can).
 * The pass only ever rejects objects that cannot match: it is a necessary condition, never a
 * sufficient one.
 *
 * @param fieldGetters The resource's field selectors; those that read one JSON string property
 * name its key (`storedKey`).
 * @returns false only for stored texts that cannot match.
 */
export function storedTextFilter(
  labels: LabelSelectorMatcher,
  fields: FieldSelectorMatcher,
  fieldGetters: Readonly<Record<string, FieldGetter>> = {},
): ((storedText: string) => boolean) | undefined {
  /** Each group: at least one of its texts must occur. */
  const groups: string[][] = [];
  for (const requirement of labels.requirements) {
    if (requirement.operator === "=" || requirement.operator === "in") {
      if (requirement.values.length === 0) continue;
      groups.push(requirement.values.map((value) => jsonPair(requirement.key, value)));
    }
  }
  for (const requirement of fields.requirements) {
    const key = METADATA_FIELD_KEYS[requirement.field] ??
      (Object.hasOwn(fieldGetters, requirement.field)
        ? fieldGetters[requirement.field].storedKey
        : undefined);
    // An absent field reads as "", which has no text of its own to look for.
    if (requirement.operator !== "=" || requirement.value === "" || key === undefined) continue;
    groups.push([jsonPair(key, requirement.value)]);
  }
  if (groups.length === 0) return undefined;
  return (storedText) => groups.every((texts) => texts.some((text) => storedText.includes(text)));
}
