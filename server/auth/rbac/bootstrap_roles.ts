/**
 * Upstream's default ClusterRoles and ClusterRoleBindings (kube-apiserver's bootstrap policy,
 * `plugin/pkg/auth/authorizer/rbac/bootstrappolicy`), limited to the ones a k3ts cluster uses:
 * cluster-admin, the aggregated admin/edit/view and their `system:aggregate-to-*` parts, what
 * every user gets (basic-user, discovery, public-info-viewer), monitoring, and the roles of the
 * components (node-proxier, kube-scheduler, kube-controller-manager, node). Rules are upstream's,
 * without feature-gated extras.
 *
 * @module
 */
import type { KubeObject } from "../../../kube/types.ts";
import { type PolicyRule, RBAC_GROUP, type Subject } from "./types.ts";

/** The label upstream puts on every bootstrap object. */
export const BOOTSTRAPPING_LABEL = "kubernetes.io/bootstrapping";
/** Set to "false" on a bootstrap object to keep the server from reconciling it. */
export const AUTOUPDATE_ANNOTATION = "rbac.authorization.kubernetes.io/autoupdate";

const READ = ["get", "list", "watch"];
const WRITE = ["create", "delete", "deletecollection", "patch", "update"];
const READ_WRITE = [
  "create",
  "delete",
  "deletecollection",
  "get",
  "list",
  "patch",
  "update",
  "watch",
];
const EVENT_WRITERS = ["create", "patch", "update"];

function rule(
  verbs: string[],
  apiGroups: string[],
  resources: string[],
  resourceNames?: string[],
): PolicyRule {
  const r: PolicyRule = { verbs, apiGroups, resources };
  if (resourceNames) r.resourceNames = resourceNames;
  return r;
}

function urls(verbs: string[], nonResourceURLs: string[]): PolicyRule {
  return { verbs, nonResourceURLs };
}

/** Events in both the core and events.k8s.io groups, as every component writes them. */
const EVENTS = rule(EVENT_WRITERS, ["", "events.k8s.io"], ["events"]);

const AGGREGATE_TO_ADMIN = [
  rule(["create"], ["authorization.k8s.io"], ["localsubjectaccessreviews"]),
  rule(READ_WRITE, [RBAC_GROUP], ["rolebindings", "roles"]),
];

const AGGREGATE_TO_EDIT = [
  rule(READ, [""], [
    "pods/attach",
    "pods/exec",
    "pods/portforward",
    "pods/proxy",
    "secrets",
    "services/proxy",
  ]),
  rule(["impersonate"], [""], ["serviceaccounts"]),
  rule(WRITE, [""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"]),
  rule(["create"], [""], ["pods/eviction"]),
  rule(WRITE, [""], [
    "configmaps",
    "events",
    "persistentvolumeclaims",
    "replicationcontrollers",
    "replicationcontrollers/scale",
    "secrets",
    "serviceaccounts",
    "services",
    "services/proxy",
  ]),
  rule(["create"], [""], ["serviceaccounts/token"]),
  rule(WRITE, ["apps"], [
    "daemonsets",
    "deployments",
    "deployments/rollback",
    "deployments/scale",
    "replicasets",
    "replicasets/scale",
    "statefulsets",
    "statefulsets/scale",
  ]),
  rule(WRITE, ["autoscaling"], ["horizontalpodautoscalers"]),
  rule(WRITE, ["batch"], ["cronjobs", "jobs"]),
  rule(WRITE, ["extensions"], [
    "daemonsets",
    "deployments",
    "deployments/rollback",
    "deployments/scale",
    "ingresses",
    "networkpolicies",
    "replicasets",
    "replicasets/scale",
    "replicationcontrollers/scale",
  ]),
  rule(WRITE, ["policy"], ["poddisruptionbudgets"]),
  rule(WRITE, ["networking.k8s.io"], ["ingresses", "networkpolicies"]),
  rule(READ_WRITE, ["coordination.k8s.io"], ["leases"]),
];

const AGGREGATE_TO_VIEW = [
  rule(READ, [""], [
    "configmaps",
    "endpoints",
    "persistentvolumeclaims",
    "persistentvolumeclaims/status",
    "pods",
    "replicationcontrollers",
    "replicationcontrollers/scale",
    "serviceaccounts",
    "services",
    "services/status",
  ]),
  rule(READ, [""], [
    "bindings",
    "events",
    "limitranges",
    "namespaces/status",
    "pods/log",
    "pods/status",
    "replicationcontrollers/status",
    "resourcequotas",
    "resourcequotas/status",
  ]),
  rule(READ, [""], ["namespaces"]),
  rule(READ, ["discovery.k8s.io"], ["endpointslices"]),
  rule(READ, ["apps"], [
    "controllerrevisions",
    "daemonsets",
    "daemonsets/status",
    "deployments",
    "deployments/scale",
    "deployments/status",
    "replicasets",
    "replicasets/scale",
    "replicasets/status",
    "statefulsets",
    "statefulsets/scale",
    "statefulsets/status",
  ]),
  rule(READ, ["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"]),
  rule(READ, ["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"]),
  rule(READ, ["extensions"], [
    "daemonsets",
    "daemonsets/status",
    "deployments",
    "deployments/scale",
    "deployments/status",
    "ingresses",
    "ingresses/status",
    "networkpolicies",
    "replicasets",
    "replicasets/scale",
    "replicasets/status",
    "replicationcontrollers/scale",
  ]),
  rule(READ, ["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"]),
  rule(READ, ["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"]),
];

const NODE = [
  rule(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
  rule(["create"], ["authorization.k8s.io"], ["localsubjectaccessreviews", "subjectaccessreviews"]),
  rule(READ, [""], ["services"]),
  rule(["create", "get", "list", "watch"], [""], ["nodes"]),
  rule(["patch", "update"], [""], ["nodes/status"]),
  rule(["patch", "update"], [""], ["nodes"]),
  rule(EVENT_WRITERS, [""], ["events"]),
  rule(READ, [""], ["pods"]),
  rule(["create", "delete"], [""], ["pods"]),
  rule(["patch", "update"], [""], ["pods/status"]),
  rule(["create"], [""], ["pods/eviction"]),
  rule(READ, [""], ["configmaps", "secrets"]),
  rule(["get"], [""], ["persistentvolumeclaims", "persistentvolumes"]),
  rule(["get"], [""], ["endpoints"]),
  rule(["create", "get", "list", "watch"], ["certificates.k8s.io"], ["certificatesigningrequests"]),
  rule(["create", "delete", "get", "patch", "update"], ["coordination.k8s.io"], ["leases"]),
  rule(["get"], ["storage.k8s.io"], ["volumeattachments"]),
  rule(["create"], [""], ["serviceaccounts/token"]),
  rule(["get", "patch", "update"], [""], ["persistentvolumeclaims/status"]),
  rule(READ, ["storage.k8s.io"], ["csidrivers"]),
  rule(["create", "delete", "get", "patch", "update"], ["storage.k8s.io"], ["csinodes"]),
  rule(READ, ["node.k8s.io"], ["runtimeclasses"]),
];

const KUBE_SCHEDULER = [
  EVENTS,
  rule(["create"], ["coordination.k8s.io"], ["leases"]),
  rule(["get", "update"], ["coordination.k8s.io"], ["leases"], ["kube-scheduler"]),
  rule(READ, [""], ["nodes"]),
  rule(["delete", "get", "list", "watch"], [""], ["pods"]),
  rule(["create"], [""], ["bindings", "pods/binding"]),
  rule(["patch", "update"], [""], ["pods/status"]),
  rule(READ, [""], ["replicationcontrollers", "services"]),
  rule(READ, ["apps", "extensions"], ["replicasets"]),
  rule(READ, ["apps"], ["statefulsets"]),
  rule(READ, ["policy"], ["poddisruptionbudgets"]),
  rule(READ, [""], ["persistentvolumeclaims", "persistentvolumes"]),
  rule(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
  rule(["create"], ["authorization.k8s.io"], ["subjectaccessreviews"]),
  rule(READ, ["storage.k8s.io"], ["csinodes"]),
  rule(READ, [""], ["namespaces"]),
  rule(READ, ["storage.k8s.io"], ["csidrivers"]),
  rule(READ, ["storage.k8s.io"], ["csistoragecapacities"]),
];

const KUBE_CONTROLLER_MANAGER = [
  EVENTS,
  rule(["create"], ["coordination.k8s.io"], ["leases"]),
  rule(["get", "update"], ["coordination.k8s.io"], ["leases"], ["kube-controller-manager"]),
  rule(["create"], [""], ["secrets", "serviceaccounts"]),
  rule(["delete"], [""], ["secrets"]),
  rule(["get"], [""], ["configmaps", "namespaces", "secrets", "serviceaccounts"]),
  rule(["update"], [""], ["secrets", "serviceaccounts"]),
  rule(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
  rule(["create"], ["authorization.k8s.io"], ["subjectaccessreviews"]),
  rule(["list", "watch"], ["*"], ["*"]),
  rule(["create"], [""], ["serviceaccounts/token"]),
];

function clusterRole(
  name: string,
  rules: PolicyRule[],
  extra: { labels?: Record<string, string>; aggregateFrom?: string } = {},
): KubeObject {
  const role: KubeObject = {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: "ClusterRole",
    metadata: {
      name,
      labels: { [BOOTSTRAPPING_LABEL]: "rbac-defaults", ...extra.labels },
      annotations: { [AUTOUPDATE_ANNOTATION]: "true" },
    },
    rules,
  };
  if (extra.aggregateFrom) {
    role.aggregationRule = {
      clusterRoleSelectors: [{
        matchLabels: { [`rbac.authorization.k8s.io/aggregate-to-${extra.aggregateFrom}`]: "true" },
      }],
    };
  }
  return role;
}

const aggregatesTo = (role: string) => ({
  [`rbac.authorization.k8s.io/aggregate-to-${role}`]: "true",
});

/** The default ClusterRoles, in upstream's order. */
export const BOOTSTRAP_CLUSTER_ROLES: readonly KubeObject[] = [
  clusterRole("cluster-admin", [rule(["*"], ["*"], ["*"]), urls(["*"], ["*"])]),
  // The aggregated roles start empty; the aggregation controller fills their rules.
  clusterRole("admin", [], { aggregateFrom: "admin" }),
  clusterRole("edit", [], { aggregateFrom: "edit", labels: aggregatesTo("admin") }),
  clusterRole("view", [], { aggregateFrom: "view", labels: aggregatesTo("edit") }),
  clusterRole("system:aggregate-to-admin", AGGREGATE_TO_ADMIN, { labels: aggregatesTo("admin") }),
  clusterRole("system:aggregate-to-edit", AGGREGATE_TO_EDIT, { labels: aggregatesTo("edit") }),
  clusterRole("system:aggregate-to-view", AGGREGATE_TO_VIEW, { labels: aggregatesTo("view") }),
  clusterRole("system:basic-user", [
    rule(["create"], ["authorization.k8s.io"], [
      "selfsubjectaccessreviews",
      "selfsubjectrulesreviews",
    ]),
    rule(["create"], ["authentication.k8s.io"], ["selfsubjectreviews"]),
  ]),
  clusterRole("system:discovery", [
    urls(["get"], [
      "/api",
      "/api/*",
      "/apis",
      "/apis/*",
      "/healthz",
      "/livez",
      "/openapi",
      "/openapi/*",
      "/readyz",
      "/version",
      "/version/",
    ]),
  ]),
  clusterRole("system:public-info-viewer", [
    urls(["get"], ["/healthz", "/livez", "/readyz", "/version", "/version/"]),
  ]),
  clusterRole("system:monitoring", [
    urls(["get"], [
      "/healthz",
      "/healthz/*",
      "/livez",
      "/livez/*",
      "/metrics",
      "/metrics/slis",
      "/readyz",
      "/readyz/*",
    ]),
  ]),
  clusterRole("system:node", NODE),
  clusterRole("system:node-proxier", [
    rule(["list", "watch"], [""], ["endpoints", "services"]),
    rule(READ, [""], ["nodes"]),
    EVENTS,
    rule(["list", "watch"], ["discovery.k8s.io"], ["endpointslices"]),
  ]),
  clusterRole("system:kube-scheduler", KUBE_SCHEDULER),
  clusterRole("system:kube-controller-manager", KUBE_CONTROLLER_MANAGER),
];

function clusterRoleBinding(name: string, subjects: Subject[]): KubeObject {
  const binding: KubeObject = {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: "ClusterRoleBinding",
    metadata: {
      name,
      labels: { [BOOTSTRAPPING_LABEL]: "rbac-defaults" },
      annotations: { [AUTOUPDATE_ANNOTATION]: "true" },
    },
    roleRef: { apiGroup: RBAC_GROUP, kind: "ClusterRole", name },
  };
  if (subjects.length) binding.subjects = subjects;
  return binding;
}

const group = (name: string): Subject => ({ apiGroup: RBAC_GROUP, kind: "Group", name });
const user = (name: string): Subject => ({ apiGroup: RBAC_GROUP, kind: "User", name });

/** The default ClusterRoleBindings, each named after the role it grants. */
export const BOOTSTRAP_CLUSTER_ROLE_BINDINGS: readonly KubeObject[] = [
  clusterRoleBinding("cluster-admin", [group("system:masters")]),
  clusterRoleBinding("system:basic-user", [group("system:authenticated")]),
  clusterRoleBinding("system:discovery", [group("system:authenticated")]),
  clusterRoleBinding("system:public-info-viewer", [
    group("system:authenticated"),
    group("system:unauthenticated"),
  ]),
  clusterRoleBinding("system:monitoring", [group("system:monitoring")]),
  clusterRoleBinding("system:node-proxier", [user("system:kube-proxy")]),
  clusterRoleBinding("system:kube-scheduler", [user("system:kube-scheduler")]),
  clusterRoleBinding("system:kube-controller-manager", [user("system:kube-controller-manager")]),
  // Upstream keeps this binding without subjects since the Node authoriser took over.
  clusterRoleBinding("system:node", []),
];
