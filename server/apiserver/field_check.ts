/**
 * Unknown and mistyped fields in a write, per `?fieldValidation=`: Strict refuses unknown
 * fields (400), Warn drops them with a `Warning` header, Ignore drops them silently -- as
 * upstream's decoder, which has no place to keep them. Mistyped values are always a 400.
 *
 * @module
 */
import { ApiError } from "../../kube/errors.ts";
import { BUILTIN_SCHEMAS } from "../../kube/schema/builtin.ts";
import { checkFields, strictDecodingMessage } from "../../kube/schema/field_validation.ts";
import type { SchemaSet } from "../../kube/schema/types.ts";
import type { KubeObject } from "../../kube/types.ts";
import type { RegisteredResource } from "./resources.ts";
import type { FieldValidation } from "./store_types.ts";

/** Checks (and prunes) a decoded object before it is stored. */
export interface FieldChecker {
  /**
   * @returns warnings for the response.
   * @throws {ApiError} 400 for type errors, or unknown fields under Strict.
   */
  check(
    resource: RegisteredResource,
    obj: KubeObject,
    validation: FieldValidation | undefined,
  ): string[];
}

/** Splits `spec.containers[0].imagee` into `["spec", "containers", 0, "imagee"]`. */
function pathSegments(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of path.split(".")) {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) {
      out.push(part);
      continue;
    }
    if (m[1] !== "") out.push(m[1]);
    for (const index of m[2].matchAll(/\[(\d+)\]/g)) out.push(Number(index[1]));
  }
  return out;
}

function removePath(obj: unknown, path: string): void {
  const segments = pathSegments(path);
  let node = obj as Record<string | number, unknown> | undefined;
  for (let i = 0; i < segments.length - 1 && node; i++) {
    node = node[segments[i]] as Record<string | number, unknown> | undefined;
  }
  if (node && typeof node === "object") delete node[segments[segments.length - 1]];
}

/** Creates the checker over a schema set (the built-ins by default). */
export function createFieldChecker(schemas: SchemaSet = BUILTIN_SCHEMAS): FieldChecker {
  return {
    check(resource, obj, validation = "Warn") {
      if (!schemas[resource.info.schemaName]) return [];
      const { unknown, typeErrors } = checkFields(schemas, resource.info.schemaName, obj);
      if (typeErrors.length > 0) {
        const { kind, version } = resource.info;
        throw ApiError.badRequest(
          `${kind} in version "${version}" cannot be handled as a ${kind}: ${typeErrors[0]}`,
        );
      }
      if (unknown.length === 0) return [];
      if (validation === "Strict") throw ApiError.badRequest(strictDecodingMessage(unknown));
      for (const path of unknown) removePath(obj, path);
      return validation === "Warn" ? unknown.map((path) => `unknown field "${path}"`) : [];
    },
  };
}
