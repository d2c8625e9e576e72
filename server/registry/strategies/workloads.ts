/**
 * Checks every pod-owning workload shares (apps/v1 and batch/v1): label selectors, a pod
 * template that its selector must match, non-negative counters and upstream's "semantic"
 * equality for immutable fields.
 *
 * @module
 */
import { deepEqual } from "../../../kube/deep_equal.ts";
import { fieldErrors } from "../../../kube/errors.ts";
import { type LabelSelector, labelSelectorMatcher } from "../../../kube/selectors/labels.ts";
import type { FieldError } from "../../../kube/types.ts";
import { labelValue, qualifiedName } from "../../../kube/validation/names.ts";
import { validateLabels } from "../../../kube/validation/object_meta.ts";
import { asArray, isRecord } from "../printing.ts";
import { defaultPodSpec, validatePodSpec } from "./pod_spec.ts";
import { goInvalid, goLabelSelector, goStringMap } from "./go_values.ts";

type Dict = Record<string, unknown>;

/** Upstream's detail for a negative count. */
export const NON_NEGATIVE = "must be greater than or equal to 0";

/** `path: Invalid value: n: must be greater than or equal to 0` when `value` is a negative number. */
export function validateNonNegative(value: unknown, path: string): FieldError[] {
  return typeof value === "number" && value < 0
    ? [fieldErrors.invalid(path, value, NON_NEGATIVE)]
    : [];
}

/** The object at `parent[key]`, created when absent, so defaults can be filled into it. */
export function child(parent: Dict, key: string): Dict {
  if (!isRecord(parent[key])) parent[key] = {};
  return parent[key] as Dict;
}

/**
 * Makes sure `spec.template.spec` exists and fills the pod defaults into it. An absent template
 * becomes an empty one, as Go's zero value would, so validation reports what the template misses.
 */
export function defaultPodTemplate(spec: Dict): void {
  defaultPodSpec(child(child(spec, "template"), "spec"));
}

/** Errors of a `metav1.LabelSelector` at `path` (upstream's `ValidateLabelSelector`). */
export function validateLabelSelector(selector: unknown, path: string): FieldError[] {
  if (!isRecord(selector)) return [];
  const errors: FieldError[] = [];
  const matchLabels = isRecord(selector.matchLabels)
    ? selector.matchLabels as Record<string, string>
    : undefined;
  errors.push(...validateLabels(matchLabels, `${path}.matchLabels`));
  for (const [i, expr] of asArray(selector.matchExpressions).entries()) {
    const at = `${path}.matchExpressions[${i}]`;
    const req: Dict = isRecord(expr) ? expr : {};
    const values = asArray(req.values);
    switch (req.operator) {
      case "In":
      case "NotIn":
        if (values.length === 0) {
          errors.push(
            fieldErrors.required(
              `${at}.values`,
              "must be specified when `operator` is 'In' or 'NotIn'",
            ),
          );
        }
        break;
      case "Exists":
      case "DoesNotExist":
        if (values.length > 0) {
          errors.push(
            fieldErrors.forbidden(
              `${at}.values`,
              "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            ),
          );
        }
        break;
      default:
        errors.push(
          fieldErrors.invalid(`${at}.operator`, req.operator, "not a valid selector operator"),
        );
    }
    const key = typeof req.key === "string" ? req.key : "";
    for (const detail of qualifiedName(key)) {
      errors.push(fieldErrors.invalid(`${at}.key`, key, detail));
    }
    for (const [j, value] of values.entries()) {
      for (const detail of labelValue(String(value))) {
        errors.push(fieldErrors.invalid(`${at}.values[${j}]`, value, detail));
      }
    }
  }
  return errors;
}

/** True when the selector has no requirement at all (it would select every pod). */
export function isEmptySelector(selector: unknown): boolean {
  if (!isRecord(selector)) return true;
  const labels = isRecord(selector.matchLabels) ? Object.keys(selector.matchLabels).length : 0;
  return labels + asArray(selector.matchExpressions).length === 0;
}

/**
 * `spec.selector`: required, well formed and (for controllers that would otherwise adopt every
 * pod in the namespace) not empty. `emptyDetail` is the resource's own upstream wording.
 */
export function validateWorkloadSelector(
  selector: unknown,
  path: string,
  emptyDetail: string,
): FieldError[] {
  if (selector === undefined || selector === null) return [fieldErrors.required(path)];
  const errors = validateLabelSelector(selector, path);
  if (isEmptySelector(selector)) {
    errors.push(goInvalid(path, goLabelSelector(selector), emptyDetail));
  }
  return errors;
}

/** Whether `selector` selects `labels`; undefined when the selector cannot be compiled. */
function selects(selector: unknown, labels: unknown): boolean | undefined {
  try {
    const matcher = labelSelectorMatcher(selector as LabelSelector);
    return matcher.matches(isRecord(labels) ? labels as Record<string, string> : {});
  } catch {
    return undefined;
  }
}

/**
 * A pod template at `path` (e.g. `spec.template`): its labels, its pod spec, and that a non-empty
 * `selector` selects the pods it makes. Without that match the controller would create pods it
 * never sees and keep creating more.
 */
export function validatePodTemplate(
  template: unknown,
  path: string,
  selector: unknown,
): FieldError[] {
  if (!isRecord(template)) return [fieldErrors.required(path)];
  const errors: FieldError[] = [];
  const meta: Dict = isRecord(template.metadata) ? template.metadata : {};
  if (
    isRecord(selector) && !isEmptySelector(selector) && selects(selector, meta.labels) === false
  ) {
    errors.push(
      goInvalid(
        `${path}.metadata.labels`,
        goStringMap(meta.labels),
        "`selector` does not match template `labels`",
      ),
    );
  }
  // Upstream reports template label errors at `<template>.labels`, not `.metadata.labels`.
  const labels = isRecord(meta.labels) ? meta.labels as Record<string, string> : undefined;
  errors.push(...validateLabels(labels, `${path}.labels`));
  errors.push(...validatePodSpec(template.spec, `${path}.spec`));
  return errors;
}

/** The template's `restartPolicy` must be one of `allowed` (controllers own restarts). */
export function validateTemplateRestartPolicy(
  template: unknown,
  path: string,
  allowed: string[],
): FieldError[] {
  const spec = isRecord(template) && isRecord(template.spec) ? template.spec : {};
  const policy = spec.restartPolicy;
  return allowed.includes(String(policy))
    ? []
    : [fieldErrors.notSupported(`${path}.spec.restartPolicy`, policy ?? "", allowed)];
}

/** Drops null, empty objects and empty arrays, which upstream's semantic equality ignores. */
function normalized(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalized);
  if (!isRecord(value)) return value;
  const out: Dict = {};
  for (const [key, v] of Object.entries(value)) {
    const n = normalized(v);
    if (n === undefined || n === null) continue;
    if (Array.isArray(n) && n.length === 0) continue;
    if (isRecord(n) && Object.keys(n).length === 0) continue;
    out[key] = n;
  }
  return out;
}

/**
 * Upstream's `apiequality.Semantic.DeepEqual` as immutability checks use it: a nil and an empty
 * map or slice are equal, so a client that sends `matchExpressions: []` changes nothing.
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  return deepEqual(normalized(a), normalized(b));
}
