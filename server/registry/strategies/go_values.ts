/**
 * Upstream's rendering of structured values in field errors. The apiserver formats a bad value
 * that is neither a string nor a number with Go's `%#v`, so kubectl users (and scripts that grep
 * for them) know messages like `spec.selector: Invalid value: v1.LabelSelector{...}: field is
 * immutable`. These helpers produce that text for the few shapes the strategies report, and
 * {@link goInvalid} wraps it in a field error.
 *
 * @module
 */
import type { FieldError } from "../../../kube/types.ts";
import { asArray, isRecord } from "../printing.ts";

/** Go's `%q` of a string (JSON's escaping is the same for the characters names may hold). */
export function goQuote(value: unknown): string {
  return JSON.stringify(typeof value === "string" ? value : String(value ?? ""));
}

/** `%#v` of a `map[string]string`: sorted keys, `(nil)` when absent. */
export function goStringMap(map: unknown): string {
  if (!isRecord(map)) return "map[string]string(nil)";
  const entries = Object.keys(map).sort().map((key) => `${goQuote(key)}:${goQuote(map[key])}`);
  return `map[string]string{${entries.join(", ")}}`;
}

/** `%#v` of a `[]string`. */
export function goStringSlice(values: unknown): string {
  if (!Array.isArray(values)) return "[]string(nil)";
  return `[]string{${values.map(goQuote).join(", ")}}`;
}

/** `%#v` of a `metav1.LabelSelector` (the struct, as upstream dereferences the pointer). */
export function goLabelSelector(selector: unknown): string {
  const s = isRecord(selector) ? selector : {};
  const expressions = Array.isArray(s.matchExpressions)
    ? `[]v1.LabelSelectorRequirement{${
      asArray(s.matchExpressions).map((e) => {
        const r = isRecord(e) ? e : {};
        return `v1.LabelSelectorRequirement{Key:${goQuote(r.key)}, Operator:${
          goQuote(r.operator)
        }, Values:${goStringSlice(r.values)}}`;
      }).join(", ")
    }}`
    : "[]v1.LabelSelectorRequirement(nil)";
  return `v1.LabelSelector{MatchLabels:${
    goStringMap(s.matchLabels)
  }, MatchExpressions:${expressions}}`;
}

/** A `FieldValueInvalid` error whose value is already rendered (by the helpers above). */
export function goInvalid(field: string, rendered: string, detail: string): FieldError {
  return { reason: "FieldValueInvalid", message: `Invalid value: ${rendered}: ${detail}`, field };
}
