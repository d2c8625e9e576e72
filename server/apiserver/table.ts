/**
 * `meta.k8s.io/v1` Table output for `kubectl get`: the resource's printer columns, and per row
 * either the object's metadata (default), the whole object, or nothing (`?includeObject=`).
 *
 * @module
 */
import type { KubeList, KubeObject } from "../../kube/types.ts";
import type { TableColumn } from "../registry/types.ts";
import type { RegisteredResource } from "./resources.ts";
import { AGE_COLUMN, NAME_COLUMN, shortAge } from "../registry/printing.ts";

/** `?includeObject=`. */
export type IncludeObject = "None" | "Metadata" | "Object";

/** Columns used when a resource has no printer of its own. */
const DEFAULT_COLUMNS: TableColumn[] = [NAME_COLUMN, AGE_COLUMN];

function columnsOf(resource: RegisteredResource): TableColumn[] {
  return resource.strategy.columns ?? DEFAULT_COLUMNS;
}

function cellsOf(resource: RegisteredResource, obj: KubeObject, now: number): unknown[] {
  const row = resource.strategy.row;
  return row ? row(obj, now) : [obj.metadata.name, shortAge(obj.metadata.creationTimestamp, now)];
}

function rowObject(obj: KubeObject, include: IncludeObject): unknown {
  if (include === "None") return undefined;
  if (include === "Object") return obj;
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: obj.metadata };
}

/** The Table for a list (or one object). */
export function toTable(
  resource: RegisteredResource,
  source: KubeList | KubeObject,
  include: IncludeObject,
  now = Date.now(),
): Record<string, unknown> {
  const items = "items" in source && Array.isArray(source.items)
    ? source.items
    : [source as KubeObject];
  const metadata = "items" in source && Array.isArray(source.items)
    ? { ...source.metadata }
    : { resourceVersion: (source as KubeObject).metadata.resourceVersion };
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata,
    columnDefinitions: columnsOf(resource),
    rows: items.map((obj) => {
      const row: Record<string, unknown> = { cells: cellsOf(resource, obj, now) };
      const object = rowObject(obj, include);
      if (object !== undefined) row.object = object;
      return row;
    }),
  };
}

/** True when the Accept header asks for a Table first. */
export function wantsTable(accept: string | null): boolean {
  if (!accept) return false;
  const first = accept.split(",")[0];
  return first.includes("as=Table") && first.includes("g=meta.k8s.io");
}
