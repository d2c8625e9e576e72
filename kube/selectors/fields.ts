/**
 * Field selectors (`?fieldSelector=metadata.name=x,status.phase!=Failed`). Which fields can be
 * selected is the resource's business: the caller passes a getter per supported field.
 *
 * @module
 */
import { ApiError } from "../errors.ts";
import type { KubeObject } from "../types.ts";

/** One `field=value` or `field!=value` term. */
export interface FieldRequirement {
  field: string;
  operator: "=" | "!=";
  value: string;
}

/** Reads a selectable field of an object. */
export type FieldReader = (obj: KubeObject) => string | undefined;

/** A compiled field selector. */
export interface FieldSelectorMatcher {
  requirements: readonly FieldRequirement[];
  matches(obj: KubeObject): boolean;
  /** The value required for `field` by an `=` term, if any (lets the store narrow a list). */
  exactValue(field: string): string | undefined;
}

function unescapeValue(value: string): string {
  return value.replace(/\\([\\,=!])/g, "$1");
}

/** Splits on commas not escaped with a backslash. */
function splitTerms(input: string): string[] {
  const out: string[] = [];
  let current = "";
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c === "\\" && i + 1 < input.length) {
      current += c + input[i + 1];
      i++;
    } else if (c === ",") {
      out.push(current);
      current = "";
    } else current += c;
  }
  out.push(current);
  return out.map((t) => t.trim()).filter((t) => t !== "");
}

/**
 * Parses a field selector and binds it to the resource's readable fields.
 * @param readers field path -> getter; `metadata.name`/`metadata.namespace` are always added.
 * @throws {ApiError} 400 for syntax errors or unsupported fields (upstream's wording).
 */
export function parseFieldSelector(
  input: string | null | undefined,
  readers: Record<string, FieldReader>,
): FieldSelectorMatcher {
  const requirements: FieldRequirement[] = [];
  if (input && input.trim() !== "") {
    for (const term of splitTerms(input)) {
      const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
      if (!m) throw ApiError.badRequest(`invalid selector: '${term}'; can't understand '${term}'`);
      requirements.push({
        field: m[1].trim(),
        operator: m[2] === "!=" ? "!=" : "=",
        value: unescapeValue(m[3].trim()),
      });
    }
  }
  const getters: FieldReader[] = requirements.map((req) => {
    if (req.field === "metadata.name") return (o) => o.metadata?.name;
    if (req.field === "metadata.namespace") return (o) => o.metadata?.namespace ?? "";
    const reader = readers[req.field];
    if (!reader) {
      throw ApiError.badRequest(`field label not supported: ${req.field}`);
    }
    return reader;
  });
  return {
    requirements,
    matches(obj) {
      for (let i = 0; i < requirements.length; i++) {
        const actual = getters[i](obj) ?? "";
        const req = requirements[i];
        if ((actual === req.value) !== (req.operator === "=")) return false;
      }
      return true;
    },
    exactValue(field) {
      return requirements.find((r) => r.field === field && r.operator === "=")?.value;
    },
  };
}
