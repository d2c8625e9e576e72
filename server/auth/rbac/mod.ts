/**
 * Authorisation with upstream Kubernetes semantics: RBAC (rule matching, a subject-indexed
 * policy kept current by watches, the bootstrap policy, ClusterRole aggregation), the Node
 * authoriser with NodeRestriction admission, the `system:masters` superuser, and the union that
 * chains them.
 *
 * @module
 */
export * from "./types.ts";
export * from "./rules.ts";
export * from "./policy_index.ts";
export * from "./rbac_authorizer.ts";
export * from "./bootstrap_roles.ts";
export * from "./bootstrap_policy.ts";
export * from "./aggregation.ts";
export * from "./node_graph.ts";
export * from "./node_authorizer.ts";
export * from "./node_restriction.ts";
export * from "./privileged_groups.ts";
export * from "./union.ts";
