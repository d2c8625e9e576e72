/**
 * policy/v1: Eviction, the body of `pods/eviction`.
 *
 * @module
 */
import { kind, META, ref } from "../dsl.ts";
import type { SchemaSet } from "../types.ts";

/** The policy/v1 schemas k3ts serves. */
export const POLICY_SCHEMAS: SchemaSet = {
  "io.k8s.api.policy.v1.Eviction": kind(
    { group: "policy", version: "v1", kind: "Eviction" },
    "Asks for a pod to be evicted, honouring disruption budgets.",
    { deleteOptions: ref(`${META}DeleteOptions`, "Options of the deletion.") },
  ),
};
