/**
 * core/v1 Namespace: RFC 1123 label names, the `kubernetes` finalizer and `Active` phase on
 * create, finalizers that change only through the `finalize` subresource.
 *
 * @module
 */
import { AGE_COLUMN, ageOf, column, NAME_COLUMN } from "../printing.ts";
import type { ResourceStrategy } from "../types.ts";
import { stringProperty } from "../field_getters.ts";

/** The Namespace strategy. */
export const NAMESPACE: ResourceStrategy = {
  nameRule: "dns1123Label",
  hasStatus: true,
  prepareForCreate(ns) {
    // The namespace controller removes this finalizer once the namespace's content is gone.
    const finalizers: string[] = Array.isArray(ns.spec?.finalizers) ? ns.spec.finalizers : [];
    if (!finalizers.includes("kubernetes")) finalizers.push("kubernetes");
    ns.spec = { ...(ns.spec ?? {}), finalizers };
    ns.status = { phase: "Active" };
  },
  prepareForUpdate(ns, old) {
    ns.spec = { ...(ns.spec ?? {}), finalizers: old.spec?.finalizers ?? [] };
  },
  columns: [
    NAME_COLUMN,
    column("Status", "string", "The status of the namespace"),
    AGE_COLUMN,
  ],
  row: (ns, now) => [ns.metadata.name, String(ns.status?.phase ?? ""), ageOf(ns, now)],
  fieldSelectors: { "status.phase": stringProperty("status", "phase") },
};
