/**
 * Strict field validation (`fieldValidation=Strict`): finds fields a schema does not declare and
 * values of the wrong JSON type, reporting them the way the Kubernetes apiserver's decoder does.
 *
 * @module
 */
import { REF_PREFIX, type Schema, type SchemaSet } from "./types.ts";

/** What {@link checkFields} found. Both lists are empty for a well-formed object. */
export interface FieldCheckResult {
  /** Paths of undeclared fields, as upstream prints them: `spec.template.spec.containers[0].imagee`. */
  unknown: string[];
  /**
   * Decoding errors, worded like upstream's:
   * `json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`.
   * The apiserver reports only the first.
   */
  typeErrors: string[];
}

const REF_PREFIX_LENGTH = REF_PREFIX.length;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const QUANTITY_FORMAT = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const BASE64_CHAR = /[A-Za-z0-9+/]/;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * Checks `obj` against the named schema: unknown fields (stopping at
 * `x-kubernetes-preserve-unknown-fields` and free-form maps) and type mismatches. `null` is
 * accepted anywhere, since it means "unset".
 *
 * @param schemas The schema set, e.g. `BUILTIN_SCHEMAS`.
 * @param schemaName The kind's schema, e.g. `io.k8s.api.apps.v1.Deployment`.
 * @param obj The decoded request body.
 * @returns Unknown field paths and type errors, in document order.
 * @example
 * ```ts
 * import { BUILTIN_SCHEMAS, checkFields } from "./mod.ts";
 * const { unknown } = checkFields(BUILTIN_SCHEMAS, "io.k8s.api.core.v1.ConfigMap", {
 *   apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" }, dat: {},
 * });
 * // unknown = ["dat"]
 * ```
 */
export function checkFields(
  schemas: SchemaSet,
  schemaName: string,
  obj: unknown,
): FieldCheckResult {
  const result: FieldCheckResult = { unknown: [], typeErrors: [] };
  const root = schemas[schemaName];
  if (root) new Walker(schemas, result).value({ $ref: REF_PREFIX + schemaName }, obj, "", "", "");
  return result;
}

/**
 * The message upstream's strict decoder gives for unknown fields:
 * `strict decoding error: unknown field "spec.foo", unknown field "spec.bar"`.
 */
export function strictDecodingMessage(unknown: readonly string[]): string {
  return `strict decoding error: ${unknown.map((path) => `unknown field "${path}"`).join(", ")}`;
}

class Walker {
  constructor(private readonly schemas: SchemaSet, private readonly result: FieldCheckResult) {}

  /**
   * Checks one value. `path` is the JSON path (with indices) for unknown fields; `goPath` the
   * dotted field path without indices or map keys that Go's type errors print; `owner` the
   * schema name of the struct holding the field.
   */
  value(declared: Schema, value: unknown, path: string, goPath: string, owner: string): void {
    if (value === null || value === undefined) return;
    let node: Schema | undefined = declared;
    let name = owner;
    for (let hops = 0; node && hops < 32; hops++) {
      if (node.$ref) {
        name = node.$ref.slice(REF_PREFIX_LENGTH);
        node = this.schemas[name];
      } else if (node.allOf?.length === 1 && !node.properties) {
        node = node.allOf[0];
      } else {
        break;
      }
    }
    if (!node || node["x-kubernetes-preserve-unknown-fields"]) return;
    if (node["x-kubernetes-int-or-string"]) {
      this.intOrString(node, declared, value, goPath, owner);
      return;
    }
    switch (node.type ?? (node.properties ? "object" : undefined)) {
      case "object":
        if (!isPlainObject(value)) return this.mismatch(declared, value, goPath, owner);
        return this.object(node, value, path, goPath, name);
      case "array":
        if (!Array.isArray(value)) return this.mismatch(declared, value, goPath, owner);
        if (node.items) {
          for (let i = 0; i < value.length; i++) {
            this.value(node.items, value[i], `${path}[${i}]`, goPath, owner);
          }
        }
        return;
      case "string":
        if (typeof value !== "string") return this.mismatch(declared, value, goPath, owner);
        return this.stringFormat(node, value);
      case "integer":
        if (typeof value !== "number") return this.mismatch(declared, value, goPath, owner);
        if (
          !Number.isInteger(value) ||
          (node.format === "int32" && (value < INT32_MIN || value > INT32_MAX))
        ) {
          this.typeError(`number ${value}`, declared, goPath, owner);
        }
        return;
      case "number":
        if (typeof value !== "number") this.mismatch(declared, value, goPath, owner);
        return;
      case "boolean":
        if (typeof value !== "boolean") this.mismatch(declared, value, goPath, owner);
        return;
    }
  }

  private object(
    node: Schema,
    value: Record<string, unknown>,
    path: string,
    goPath: string,
    owner: string,
  ): void {
    const properties = node.properties;
    const extra = node.additionalProperties;
    const prefix = path === "" ? "" : `${path}.`;
    const goPrefix = goPath === "" ? "" : `${goPath}.`;
    for (const key in value) {
      const field = properties?.[key];
      if (field !== undefined && Object.hasOwn(properties!, key)) {
        this.value(field, value[key], prefix + key, goPrefix + key, owner);
      } else if (typeof extra === "object") {
        // Go's decoder leaves map keys out of the field path of type errors.
        this.value(extra, value[key], prefix + key, goPath, owner);
      } else if (properties && extra !== true) {
        this.result.unknown.push(prefix + key);
      }
    }
  }

  private intOrString(
    node: Schema,
    declared: Schema,
    value: unknown,
    goPath: string,
    owner: string,
  ): void {
    if (typeof value === "string") {
      // Quantities are parsed on decode, so a malformed one fails the request like a type error.
      if (node.format !== "int-or-string" && !QUANTITY_FORMAT.test(value)) {
        this.result.typeErrors.push(
          "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
        );
      }
      return;
    }
    if (typeof value === "number") {
      if (node.format === "int-or-string" && !Number.isInteger(value)) {
        this.typeError(`number ${value}`, declared, goPath, owner);
      }
      return;
    }
    this.mismatch(declared, value, goPath, owner);
  }

  private stringFormat(node: Schema, value: string): void {
    if (node.format === "byte") {
      const at = invalidBase64At(value);
      if (at >= 0) this.result.typeErrors.push(`illegal base64 data at input byte ${at}`);
    } else if (node.format === "date-time" && !RFC3339.test(value)) {
      this.result.typeErrors.push(
        `parsing time "${value}" as "2006-01-02T15:04:05Z07:00": cannot parse "${value}" as an RFC 3339 time`,
      );
    }
  }

  private mismatch(declared: Schema, value: unknown, goPath: string, owner: string): void {
    this.typeError(jsonKind(value), declared, goPath, owner);
  }

  private typeError(got: string, declared: Schema, goPath: string, owner: string): void {
    const type = goType(this.schemas, declared);
    this.result.typeErrors.push(
      goPath === ""
        ? `json: cannot unmarshal ${got} into Go value of type ${type}`
        : `json: cannot unmarshal ${got} into Go struct field ${
          shortName(owner)
        }.${goPath} of type ${type}`,
    );
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (typeof value === "boolean") return "bool";
  return typeof value === "object" ? "object" : typeof value;
}

/** `io.k8s.api.apps.v1.DeploymentSpec` -> `DeploymentSpec`. */
function shortName(schemaName: string): string {
  return schemaName.slice(schemaName.lastIndexOf(".") + 1);
}

/** The Go type a schema node stands for, as Go's decoder names it (`v1.PodSpec`, `[]string`). */
function goType(schemas: SchemaSet, node: Schema | undefined): string {
  if (!node) return "interface {}";
  const target = node.$ref ?? (node.allOf?.length === 1 ? node.allOf[0].$ref : undefined);
  if (target) {
    const segments = target.slice(REF_PREFIX_LENGTH).split(".");
    return segments.slice(-2).join(".");
  }
  switch (node.type) {
    case "string":
      return node.format === "byte" ? "[]uint8" : "string";
    case "integer":
      return node.format ?? "int64";
    case "number":
      return "float64";
    case "boolean":
      return "bool";
    case "array":
      return `[]${goType(schemas, node.items)}`;
    case "object":
      return typeof node.additionalProperties === "object"
        ? `map[string]${goType(schemas, node.additionalProperties)}`
        : "map[string]interface {}";
  }
  return "interface {}";
}

/**
 * Position of the first byte Go's standard (padded) base64 decoder rejects, or -1. Newlines are
 * skipped, as Go does.
 */
function invalidBase64At(text: string): number {
  let count = 0;
  let padding = 0;
  let lastQuantumStart = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === "\n" || char === "\r") continue;
    if (count % 4 === 0) lastQuantumStart = i;
    if (char === "=") {
      if (count % 4 < 2) return i;
      padding++;
    } else if (padding > 0 || !BASE64_CHAR.test(char)) {
      return i;
    }
    count++;
  }
  return count % 4 === 0 ? -1 : lastQuantumStart;
}
