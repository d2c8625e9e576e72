/**
 * `/openapi/v3` documents, built from the registry and the schemas once per registry generation
 * (a resource added at run time rebuilds them on next use).
 *
 * @module
 */
import { BUILTIN_SCHEMAS } from "../../kube/schema/builtin.ts";
import { buildOpenApiV3, type OpenApiDocument, type OpenApiV3 } from "../../kube/schema/openapi.ts";
import type { SchemaSet } from "../../kube/schema/types.ts";
import type { ResourceRegistry } from "./resources.ts";

/** Lazily built OpenAPI v3 documents. */
export class OpenApiCache {
  #generation = -1;
  #built?: OpenApiV3;
  #index = "";

  constructor(readonly registry: ResourceRegistry, readonly schemas: SchemaSet = BUILTIN_SCHEMAS) {}

  #current(): OpenApiV3 {
    if (!this.#built || this.#generation !== this.registry.generation) {
      this.#built = buildOpenApiV3(this.registry.all().map((r) => r.info), this.schemas);
      this.#index = JSON.stringify(this.#built.index);
      this.#generation = this.registry.generation;
    }
    return this.#built;
  }

  /** Body of `GET /openapi/v3`. */
  index(): string {
    this.#current();
    return this.#index;
  }

  /** The document at `/openapi/v3/<key>` (`api/v1`, `apis/apps/v1`), or undefined. */
  document(key: string): OpenApiDocument | undefined {
    return this.#current().documents.get(key);
  }
}
