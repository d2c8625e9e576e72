/**
 * Building blocks for `kubectl get` columns, shaped like upstream's table printers
 * (`pkg/printers/internalversion`): ages, joined lists, label selectors and the
 * Containers/Images/Selector columns of workload resources.
 *
 * @module
 */
import type { KubeObject } from "../../kube/types.ts";
import type { TableColumn } from "./types.ts";

/** kubectl's short age form: 45s, 3m2s, 5h, 2d3h, 400d. */
export function shortAge(since: string | undefined, now: number): string {
  if (!since) return "<unknown>";
  const seconds = Math.max(0, Math.floor((now - Date.parse(since)) / 1000));
  return shortDuration(seconds);
}

/** A duration in seconds in the same short form. */
export function shortDuration(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return `${minutes}m${seconds % 60 ? `${seconds % 60}s` : ""}`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return `${hours}h${minutes % 60 ? `${minutes % 60}m` : ""}`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (days < 8) return `${days}d${hours % 24 ? `${hours % 24}h` : ""}`;
  if (days < 365 * 2) return `${days}d`;
  return `${Math.floor(days / 365)}y${days % 365 ? `${days % 365}d` : ""}`;
}

/** A column definition; `wide` columns show only with `-o wide`. */
export function column(
  name: string,
  type: TableColumn["type"],
  description: string,
  wide = false,
): TableColumn {
  return { name, type, description, priority: wide ? 1 : 0 };
}

/** The leading Name column. */
export const NAME_COLUMN: TableColumn = {
  name: "Name",
  type: "string",
  format: "name",
  description: "Name must be unique within a namespace.",
  priority: 0,
};

/** The Age column. */
export const AGE_COLUMN: TableColumn = column(
  "Age",
  "string",
  "CreationTimestamp is a timestamp representing the server time when this object was created.",
);

/** Containers, Images and Selector: the wide columns of workload resources. */
export const WORKLOAD_WIDE_COLUMNS: TableColumn[] = [
  column("Containers", "string", "Names of each container in the template.", true),
  column("Images", "string", "Images referenced by each container in the template.", true),
  column("Selector", "string", "Label selector for pods.", true),
];

/** The object's age cell. */
export function ageOf(obj: KubeObject, now: number): string {
  return shortAge(obj.metadata.creationTimestamp, now);
}

/** Values joined with commas, or `<none>`. */
export function listOrNone(values: readonly string[]): string {
  return values.length > 0 ? values.join(",") : "<none>";
}

/** A `matchLabels`/`matchExpressions` selector as kubectl prints it. */
export function formatLabelSelector(selector: unknown): string {
  if (!isRecord(selector)) return "<none>";
  const parts: string[] = [];
  const matchLabels = isRecord(selector.matchLabels) ? selector.matchLabels : {};
  for (const key of Object.keys(matchLabels).sort()) parts.push(`${key}=${matchLabels[key]}`);
  for (const expr of asArray(selector.matchExpressions)) {
    if (!isRecord(expr)) continue;
    const values = asArray(expr.values).map(String);
    switch (expr.operator) {
      case "In":
        parts.push(`${expr.key} in (${values.join(",")})`);
        break;
      case "NotIn":
        parts.push(`${expr.key} notin (${values.join(",")})`);
        break;
      case "Exists":
        parts.push(String(expr.key));
        break;
      case "DoesNotExist":
        parts.push(`!${expr.key}`);
        break;
    }
  }
  return parts.length > 0 ? parts.join(",") : "<none>";
}

/** A plain `key=value` map (service selectors, node selectors) as kubectl prints it. */
export function formatLabelMap(map: unknown): string {
  if (!isRecord(map) || Object.keys(map).length === 0) return "<none>";
  return Object.keys(map).sort().map((key) => `${key}=${map[key]}`).join(",");
}

/** The Containers, Images and Selector cells of a pod template and selector. */
export function workloadWideCells(template: unknown, selector: unknown): string[] {
  const spec = isRecord(template) && isRecord(template.spec) ? template.spec : {};
  const containers = asArray(spec.containers).filter(isRecord);
  return [
    containers.map((c) => String(c.name ?? "")).join(","),
    containers.map((c) => String(c.image ?? "")).join(","),
    formatLabelSelector(selector),
  ];
}

/** A plain-object check that narrows for property access. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The value if it is an array, else an empty one. */
export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A number field or a fallback (printers show 0 for absent counters). */
export function numberOr(value: unknown, fallback = 0): number {
  return typeof value === "number" ? value : fallback;
}
