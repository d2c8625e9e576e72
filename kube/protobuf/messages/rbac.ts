/**
 * Protobuf descriptors for rbac.authorization.k8s.io/v1: Role, ClusterRole and their bindings.
 *
 * Field numbers are those of the k8s.io/api and apimachinery `generated.proto` files as built into
 * kubectl 1.32; JSON names and flags follow the Go types' `json` tags (see `schema.ts`).
 *
 * @module
 */
import type { MessageTable } from "../schema.ts";

/** Rbac.authorization.k8s.io/v1: Role, ClusterRole and their bindings. */
export const RBAC: MessageTable = {
  "rbac.Role": {
    1: ["metadata", "meta.ObjectMeta"],
    2: ["rules", "rbac.PolicyRule", "rep"],
  },
  "rbac.PolicyRule": {
    1: ["verbs", "string", "rep"],
    2: ["apiGroups", "string", "rep"],
    3: ["resources", "string", "rep"],
    4: ["resourceNames", "string", "rep"],
    5: ["nonResourceURLs", "string", "rep"],
  },
  "rbac.RoleBinding": {
    1: ["metadata", "meta.ObjectMeta"],
    2: ["subjects", "rbac.Subject", "rep"],
    3: ["roleRef", "rbac.RoleRef"],
  },
  "rbac.Subject": {
    1: ["kind", "string", "keep"],
    2: ["apiGroup", "string"],
    3: ["name", "string", "keep"],
    4: ["namespace", "string"],
  },
  "rbac.RoleRef": {
    1: ["apiGroup", "string", "keep"],
    2: ["kind", "string", "keep"],
    3: ["name", "string", "keep"],
  },
  "rbac.ClusterRole": {
    1: ["metadata", "meta.ObjectMeta"],
    2: ["rules", "rbac.PolicyRule", "rep"],
    3: ["aggregationRule", "rbac.AggregationRule", "ptr"],
  },
  "rbac.AggregationRule": {
    1: ["clusterRoleSelectors", "meta.LabelSelector", "rep"],
  },
  "rbac.ClusterRoleBinding": {
    1: ["metadata", "meta.ObjectMeta"],
    2: ["subjects", "rbac.Subject", "rep"],
    3: ["roleRef", "rbac.RoleRef"],
  },
};
