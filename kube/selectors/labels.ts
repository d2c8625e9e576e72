/**
 * Label selectors: the string form of `?labelSelector=` (`app=web,tier!=db,env in (a,b),!legacy`)
 * and the structured `LabelSelector` of workload specs, both compiled to one matcher type.
 *
 * @module
 */
import { ApiError } from "../errors.ts";

/** One requirement of a selector. */
export interface LabelRequirement {
  key: string;
  operator: "=" | "!=" | "in" | "notin" | "exists" | "!";
  values: string[];
}

/** A compiled selector: all requirements must hold. An empty selector matches everything. */
export interface LabelSelectorMatcher {
  requirements: readonly LabelRequirement[];
  matches(labels: Record<string, string> | undefined): boolean;
}

/** metav1.LabelSelector. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

function requirementHolds(req: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, req.key);
  switch (req.operator) {
    case "=":
      return has && labels[req.key] === req.values[0];
    case "!=":
      return !has || labels[req.key] !== req.values[0];
    case "in":
      return has && req.values.includes(labels[req.key]);
    case "notin":
      return !has || !req.values.includes(labels[req.key]);
    case "exists":
      return has;
    case "!":
      return !has;
  }
}

function compile(requirements: LabelRequirement[]): LabelSelectorMatcher {
  return {
    requirements,
    matches(labels) {
      if (requirements.length === 0) return true;
      const set = labels ?? {};
      for (const req of requirements) if (!requirementHolds(req, set)) return false;
      return true;
    },
  };
}

/** Matches everything. */
export const EVERYTHING: LabelSelectorMatcher = compile([]);

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(input: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "," && depth === 0) {
      parts.push(input.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(input.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}

const SET_FORM = /^([^\s!=(),]+)\s+(in|notin)\s*\(([^)]*)\)$/;
const EQUALITY_FORM = /^([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/;
const KEY_FORM = /^(!?)\s*([^\s!=(),]+)$/;

/**
 * Parses a label selector string.
 * @throws {ApiError} 400 with upstream-like wording for a malformed selector.
 */
export function parseLabelSelector(input: string | null | undefined): LabelSelectorMatcher {
  if (!input || input.trim() === "") return EVERYTHING;
  const requirements: LabelRequirement[] = [];
  for (const part of splitTopLevel(input)) {
    let m = SET_FORM.exec(part);
    if (m) {
      const values = m[3].split(",").map((v) => v.trim()).filter((v) => v !== "");
      requirements.push({ key: m[1], operator: m[2] as "in" | "notin", values });
      continue;
    }
    m = EQUALITY_FORM.exec(part);
    if (m) {
      requirements.push({ key: m[1], operator: m[2] === "!=" ? "!=" : "=", values: [m[3]] });
      continue;
    }
    m = KEY_FORM.exec(part);
    if (m) {
      requirements.push({ key: m[2], operator: m[1] === "!" ? "!" : "exists", values: [] });
      continue;
    }
    throw ApiError.badRequest(
      `unable to parse requirement: found '${part}', expected: label selector`,
    );
  }
  return compile(requirements);
}

/**
 * Compiles a structured `LabelSelector`. `undefined` matches nothing (as upstream's
 * `LabelSelectorAsSelector(nil)`), `{}` matches everything.
 */
export function labelSelectorMatcher(selector: LabelSelector | undefined): LabelSelectorMatcher {
  if (!selector) return compile([{ key: "", operator: "in", values: [] }]);
  const requirements: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    requirements.push({ key, operator: "=", values: [value] });
  }
  for (const expr of selector.matchExpressions ?? []) {
    const op = expr.operator;
    const operator = op === "In"
      ? "in"
      : op === "NotIn"
      ? "notin"
      : op === "Exists"
      ? "exists"
      : op === "DoesNotExist"
      ? "!"
      : undefined;
    if (!operator) throw ApiError.badRequest(`"${op}" is not a valid label selector operator`);
    requirements.push({ key: expr.key, operator, values: expr.values ?? [] });
  }
  return compile(requirements);
}

/** Formats a structured selector as the string form (for `Scale.status.selector`). */
export function formatLabelSelector(selector: LabelSelector | undefined): string {
  if (!selector) return "";
  const parts: string[] = [];
  for (const [k, v] of Object.entries(selector.matchLabels ?? {}).sort()) parts.push(`${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort().join(",");
    if (e.operator === "In") parts.push(`${e.key} in (${values})`);
    else if (e.operator === "NotIn") parts.push(`${e.key} notin (${values})`);
    else if (e.operator === "Exists") parts.push(e.key);
    else if (e.operator === "DoesNotExist") parts.push(`!${e.key}`);
  }
  return parts.join(",");
}
