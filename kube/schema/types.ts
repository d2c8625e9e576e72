/**
 * The schema language of the registry: the subset of OpenAPI v3 / JSON Schema that Kubernetes
 * publishes, with its `x-kubernetes-*` extensions. One set of named schemas feeds validation
 * (unknown fields, types), defaulting, strategic-merge keys, server-side apply list types,
 * `/openapi/v3` and `kubectl explain`.
 *
 * @module
 */
import type { GroupVersionKind } from "../types.ts";

/** One node of a schema. */
export interface Schema {
  type?: "object" | "array" | "string" | "integer" | "number" | "boolean";
  format?: string;
  description?: string;
  properties?: Record<string, Schema>;
  /** Map values (`labels`, `data`); `true` allows anything. */
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: (string | number)[];
  default?: unknown;
  /** `#/components/schemas/<name>`; resolve with {@link SchemaSet}. */
  $ref?: string;
  /** Upstream wraps references as `allOf: [{ $ref }]`. */
  allOf?: Schema[];
  /** Alternative scalar types, e.g. Quantity (`string` or `number`) and IntOrString. */
  oneOf?: Schema[];
  /** Anything goes below this node (free-form or not yet modelled). */
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  /** IntOrString (ports, maxSurge). */
  "x-kubernetes-int-or-string"?: boolean;
  /** Strategic merge patch: the key identifying list items (`name`, `containerPort`). */
  "x-kubernetes-patch-merge-key"?: string;
  /** Strategic merge patch: `merge`, `replace`, `retainKeys`, `merge,retainKeys`. */
  "x-kubernetes-patch-strategy"?: string;
  /** Server-side apply: how a list is owned. */
  "x-kubernetes-list-type"?: "atomic" | "set" | "map";
  "x-kubernetes-list-map-keys"?: string[];
  "x-kubernetes-map-type"?: "atomic" | "granular";
  /** On top-level kind schemas. */
  "x-kubernetes-group-version-kind"?: GroupVersionKind[];
}

/** Named schemas, as in OpenAPI `components.schemas` (`io.k8s.api.core.v1.Pod`, ...). */
export type SchemaSet = Record<string, Schema>;

/** The prefix of a `$ref` into a {@link SchemaSet}. */
export const REF_PREFIX = "#/components/schemas/";

/**
 * Follows `$ref` and single-element `allOf` wrappers until a concrete node; keeps the outer
 * node's description, which is how upstream documents a referencing field.
 */
export function resolveSchema(schemas: SchemaSet, node: Schema | undefined): Schema | undefined {
  let current = node;
  for (let hops = 0; current && hops < 32; hops++) {
    if (current.$ref) {
      current = schemas[current.$ref.slice(REF_PREFIX.length)];
    } else if (current.allOf?.length === 1 && !current.properties) {
      current = current.allOf[0];
    } else {
      return current;
    }
  }
  return current;
}
