/**
 * Binds the patch library (`kube/patch`) to the schema registry for the REST store: which patch
 * type does what, and how field managers are recorded on every write.
 *
 * @module
 */
import { ApiError } from "../../kube/errors.ts";
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  recordUpdate,
  type SchemaContext,
  serverSideApply,
} from "../../kube/patch/mod.ts";
import { BUILTIN_SCHEMAS } from "../../kube/schema/builtin.ts";
import type { Schema, SchemaSet } from "../../kube/schema/types.ts";
import type { JsonObject, JsonValue, KubeObject, ManagedFieldsEntry } from "../../kube/types.ts";
import type { RegisteredResource } from "./resources.ts";
import type { PatchType, WriteOptions } from "./store_types.ts";

/** What the REST store asks of patches and field managers. */
export interface PatchEngine {
  /** Applies a patch of `type` to the current object (server-side apply included). */
  apply(
    resource: RegisteredResource,
    type: PatchType,
    current: KubeObject,
    body: unknown,
    options: WriteOptions & { subresource?: string },
  ): KubeObject;
  /** Server-side apply of an object that does not exist yet: the object to create. */
  applyCreate(
    resource: RegisteredResource,
    applied: KubeObject,
    name: string,
    options: WriteOptions,
  ): KubeObject;
  /** Applies a patch to a view with a named schema (the `scale` subresource). */
  applyToSchema(
    schemaName: string,
    type: PatchType,
    current: KubeObject,
    body: unknown,
  ): KubeObject;
  /** managedFields of a new object written by `manager`. */
  recordCreate(
    resource: RegisteredResource,
    obj: KubeObject,
    manager: string | undefined,
    now: number,
  ): ManagedFieldsEntry[] | undefined;
  /** managedFields after `manager` changed `old` into `obj`. */
  recordUpdate(
    resource: RegisteredResource,
    old: KubeObject,
    obj: KubeObject,
    manager: string | undefined,
    subresource: string | undefined,
    now: number,
  ): ManagedFieldsEntry[] | undefined;
}

/** Schema of an unknown kind: anything goes, patches merge like JSON merge patch. */
const OPEN_SCHEMA: Schema = { type: "object", "x-kubernetes-preserve-unknown-fields": true };

/** Creates the engine over a schema set (the built-ins by default). */
export function createPatchEngine(schemas: SchemaSet = BUILTIN_SCHEMAS): PatchEngine {
  const contexts = new Map<string, SchemaContext>();
  const contextOf = (schemaName: string): SchemaContext => {
    let ctx = contexts.get(schemaName);
    if (!ctx) {
      ctx = { schemas, root: schemas[schemaName] ?? OPEN_SCHEMA };
      contexts.set(schemaName, ctx);
    }
    return ctx;
  };

  const patchWith = (
    ctx: SchemaContext,
    type: PatchType,
    current: KubeObject,
    body: unknown,
  ): KubeObject => {
    let result: JsonValue;
    switch (type) {
      case "json":
        result = applyJsonPatch(current as unknown as JsonValue, body);
        break;
      case "merge":
        if (typeof body !== "object" || body === null || Array.isArray(body)) {
          throw ApiError.badRequest("a merge patch must be a JSON object");
        }
        result = applyMergePatch(current as unknown as JsonValue, body as JsonValue);
        break;
      case "strategic":
        if (typeof body !== "object" || body === null || Array.isArray(body)) {
          throw ApiError.badRequest("a strategic merge patch must be a JSON object");
        }
        result = applyStrategicMergePatch(current as unknown as JsonObject, body as JsonValue, ctx);
        break;
      default:
        throw ApiError.badRequest(`patch type ${type} is not valid here`);
    }
    if (typeof result !== "object" || result === null || Array.isArray(result)) {
      throw ApiError.badRequest("the patched object must be a JSON object");
    }
    return result as unknown as KubeObject;
  };

  const managerOrDefault = (manager: string | undefined) => manager ?? "unknown";

  return {
    apply(resource, type, current, body, options) {
      const ctx = contextOf(resource.info.schemaName);
      if (type !== "apply") return patchWith(ctx, type, current, body);
      return serverSideApply({
        live: current,
        applied: body as KubeObject,
        manager: managerOrDefault(options.fieldManager),
        force: options.force === true,
        ctx,
        apiVersion: resource.apiVersion,
        now: new Date(),
        subresource: options.subresource,
      }).object;
    },
    applyCreate(resource, applied, name, options) {
      const body = { ...applied, metadata: { ...(applied.metadata ?? {}), name } };
      return serverSideApply({
        applied: body,
        manager: managerOrDefault(options.fieldManager),
        force: options.force === true,
        ctx: contextOf(resource.info.schemaName),
        apiVersion: resource.apiVersion,
        now: new Date(),
      }).object;
    },
    applyToSchema(schemaName, type, current, body) {
      if (type === "apply") {
        throw ApiError.badRequest("server-side apply is not supported on this subresource");
      }
      return patchWith(contextOf(schemaName), type, current, body);
    },
    recordCreate(resource, obj, manager, now) {
      if (!manager) return obj.metadata.managedFields;
      const entries = recordUpdate({
        updated: obj,
        manager,
        apiVersion: resource.apiVersion,
        now: new Date(now),
        ctx: contextOf(resource.info.schemaName),
      });
      return entries.length > 0 ? entries : undefined;
    },
    recordUpdate(resource, old, obj, manager, subresource, now) {
      if (!manager) return obj.metadata.managedFields;
      const entries = recordUpdate({
        old,
        updated: obj,
        manager,
        apiVersion: resource.apiVersion,
        now: new Date(now),
        subresource,
        ctx: contextOf(resource.info.schemaName),
      });
      return entries.length > 0 ? entries : undefined;
    },
  };
}
