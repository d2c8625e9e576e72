/**
 * `metadata` validation shared by every resource (upstream's `ValidateObjectMeta`): name and
 * generateName by the resource's name rule, namespace presence, label and annotation keys and
 * values, finalizer names and owner references.
 *
 * @module
 */
import { fieldErrors } from "../errors.ts";
import type { FieldError, ObjectMeta } from "../types.ts";
import { labelValue, type NameRule, nameRuleCheck, qualifiedName } from "./names.ts";

/** Upstream's cap on the total size of all annotation keys and values. */
const ANNOTATIONS_MAX_BYTES = 256 * 1024;

/** How a resource's metadata is checked. */
export interface ObjectMetaRules {
  namespaced: boolean;
  nameRule: NameRule;
}

/** Errors of `metadata`, with `metadata.*` field paths. */
export function validateObjectMeta(meta: ObjectMeta, rules: ObjectMetaRules): FieldError[] {
  const errors: FieldError[] = [];
  const check = nameRuleCheck(rules.nameRule);
  if (!meta.name) {
    if (!meta.generateName) {
      errors.push(fieldErrors.required("metadata.name", "name or generateName is required"));
    }
  } else {
    for (const detail of check(meta.name)) {
      errors.push(fieldErrors.invalid("metadata.name", meta.name, detail));
    }
  }
  if (meta.generateName) {
    // The prefix may end in "-": the random suffix follows it.
    const prefix = meta.generateName.replace(/-$/, "a");
    for (const detail of check(prefix)) {
      errors.push(fieldErrors.invalid("metadata.generateName", meta.generateName, detail));
    }
  }
  if (rules.namespaced && !meta.namespace) {
    errors.push(fieldErrors.required("metadata.namespace"));
  } else if (!rules.namespaced && meta.namespace) {
    errors.push(fieldErrors.forbidden("metadata.namespace", "not allowed on this type"));
  }
  errors.push(...validateLabels(meta.labels, "metadata.labels"));
  errors.push(...validateAnnotations(meta.annotations));
  for (const [i, finalizer] of (meta.finalizers ?? []).entries()) {
    for (const detail of qualifiedName(finalizer)) {
      errors.push(fieldErrors.invalid(`metadata.finalizers[${i}]`, finalizer, detail));
    }
  }
  for (const [i, owner] of (meta.ownerReferences ?? []).entries()) {
    const path = `metadata.ownerReferences[${i}]`;
    for (const key of ["apiVersion", "kind", "name", "uid"] as const) {
      if (!owner[key]) errors.push(fieldErrors.required(`${path}.${key}`));
    }
  }
  return errors;
}

/** Label keys and values (also used for selectors' `matchLabels` and template labels). */
export function validateLabels(
  labels: Record<string, string> | undefined,
  path: string,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    for (const detail of qualifiedName(key)) errors.push(fieldErrors.invalid(path, key, detail));
    if (typeof value !== "string") {
      errors.push(fieldErrors.invalid(`${path}.${key}`, value, "must be a string"));
      continue;
    }
    for (const detail of labelValue(value)) errors.push(fieldErrors.invalid(path, value, detail));
  }
  return errors;
}

function validateAnnotations(annotations: Record<string, string> | undefined): FieldError[] {
  const errors: FieldError[] = [];
  let size = 0;
  for (const [key, value] of Object.entries(annotations ?? {})) {
    for (const detail of qualifiedName(key.toLowerCase())) {
      errors.push(fieldErrors.invalid("metadata.annotations", key, detail));
    }
    size += key.length + (typeof value === "string" ? value.length : 0);
  }
  if (size > ANNOTATIONS_MAX_BYTES) {
    errors.push({
      reason: "FieldValueTooLong",
      message: `Too long: must have at most ${ANNOTATIONS_MAX_BYTES} bytes`,
      field: "metadata.annotations",
    });
  }
  return errors;
}
