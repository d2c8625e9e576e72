/**
 * rbac.authorization.k8s.io/v1: Role, ClusterRole, RoleBinding, ClusterRoleBinding.
 *
 * @module
 */
import { arr, kindWithList, META, obj, ref, str, strs } from "../dsl.ts";
import type { Schema, SchemaSet } from "../types.ts";

const PKG = "io.k8s.api.rbac.v1";
const RBAC = `${PKG}.`;
const v1 = { group: "rbac.authorization.k8s.io", version: "v1" };

function rules(): Schema {
  return arr(ref(`${RBAC}PolicyRule`), {
    description: "What the role allows.",
    listType: "atomic",
  });
}

function binding(scope: string): Record<string, Schema> {
  return {
    roleRef: ref(`${RBAC}RoleRef`, `The ${scope} granted; immutable.`),
    subjects: arr(ref(`${RBAC}Subject`), {
      description: "Who is granted the role.",
      listType: "atomic",
    }),
  };
}

/** Every rbac.authorization.k8s.io/v1 schema. */
export const RBAC_SCHEMAS: SchemaSet = {
  ...kindWithList(PKG, { ...v1, kind: "Role" }, "Permissions within one namespace.", {
    rules: rules(),
  }),
  ...kindWithList(PKG, { ...v1, kind: "ClusterRole" }, "Permissions across the cluster.", {
    aggregationRule: ref(`${RBAC}AggregationRule`, "Builds the rules from other cluster roles."),
    rules: rules(),
  }),
  ...kindWithList(
    PKG,
    { ...v1, kind: "RoleBinding" },
    "Grants a role within one namespace.",
    binding("role"),
    {
      required: ["roleRef"],
    },
  ),
  ...kindWithList(
    PKG,
    { ...v1, kind: "ClusterRoleBinding" },
    "Grants a cluster role across the cluster.",
    binding("cluster role"),
    { required: ["roleRef"] },
  ),
  [`${RBAC}PolicyRule`]: obj({
    apiGroups: strs('API groups of the resources; "" is the core group.'),
    nonResourceURLs: strs("Non-resource URLs such as /healthz, for cluster roles."),
    resourceNames: strs("Specific object names; all when empty."),
    resources: strs("Resources, such as pods or deployments/scale."),
    verbs: strs("Verbs allowed, such as get, list or *."),
  }, { description: "A set of allowed actions.", required: ["verbs"] }),
  [`${RBAC}AggregationRule`]: obj({
    clusterRoleSelectors: arr(ref(`${META}LabelSelector`), {
      description: "Cluster roles whose rules are aggregated.",
      listType: "atomic",
    }),
  }, { description: "How a cluster role collects rules." }),
  [`${RBAC}RoleRef`]: obj({
    apiGroup: str("Group of the role."),
    kind: str("Role or ClusterRole."),
    name: str("Name of the role."),
  }, {
    description: "The role a binding grants.",
    required: ["apiGroup", "kind", "name"],
    atomic: true,
  }),
  [`${RBAC}Subject`]: obj({
    apiGroup: str("Group of the subject; empty for service accounts."),
    kind: str("User, Group or ServiceAccount."),
    name: str("Name of the subject."),
    namespace: str("Namespace of a service account."),
  }, { description: "Who a binding grants to.", required: ["kind", "name"], atomic: true }),
};
