/**
 * `/openapi/v3` documents, built from the registry and the schemas once per registry generation
 * (a resource added at run time rebuilds them on next use). The builder is imported on the first
 * request for them: a server nobody runs `kubectl explain` or `apply` against never loads it.
 *
 * @module
 */
import { BUILTIN_SCHEMAS } from "../../kube/schema/builtin.ts";
import type { OpenApiDocument, OpenApiV3 } from "../../kube/schema/openapi.ts";
import type { SchemaSet } from "../../kube/schema/types.ts";
import type { ResourceRegistry } from "./resources.ts";

/** Lazily built OpenAPI v3 documents. */
export class OpenApiCache {
  #generation = -1;
  #built?: OpenApiV3;
  #index = "";

  constructor(readonly registry: ResourceRegistry, readonly schemas: SchemaSet = BUILTIN_SCHEMAS) {}

  async #current(): Promise<OpenApiV3> {
    if (!this.#built || this.#generation !== this.registry.generation) {
      const { buildOpenApiV3 } = await import("../../kube/schema/openapi.ts");
      this.#built = buildOpenApiV3(this.registry.all().map((r) => r.info), this.schemas);
      this.#index = JSON.stringify(this.#built.index);
      this.#generation = this.registry.generation;
    }
    return this.#built;
  }

  /** Body of `GET /openapi/v3`. */
  async index(): Promise<string> {
    await this.#current();
    return this.#index;
  }

  /** The document at `/openapi/v3/<key>` (`api/v1`, `apis/apps/v1`), or undefined. */
  async document(key: string): Promise<OpenApiDocument | undefined> {
    return (await this.#current()).documents.get(key);
  }
}
