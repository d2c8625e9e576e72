/**
 * The schema registry: built-in schemas, strict field validation and `/openapi/v3` documents.
 *
 * @module
 */
export { BUILTIN_SCHEMAS } from "./builtin.ts";
export { checkFields, type FieldCheckResult, strictDecodingMessage } from "./field_validation.ts";
export {
  buildOpenApiV3,
  closure,
  groupVersionKey,
  type OpenApiDocument,
  type OpenApiV3,
} from "./openapi.ts";
export { REF_PREFIX, resolveSchema, type Schema, type SchemaSet } from "./types.ts";
