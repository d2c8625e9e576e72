/**
 * The built-in resources k3ts serves. Adding a resource is one entry here plus, where it differs
 * from the defaults, a strategy in `strategies/`.
 *
 * @module
 */
import type { ResourceInfo } from "./types.ts";

type Entry = Omit<ResourceInfo, "listKind" | "singular" | "schemaName" | "subresources"> & {
  subresources?: string[];
  singular?: string;
  schemaName?: string;
};

/** Upstream's Go package path for each group's types, which names its schemas. */
const SCHEMA_PACKAGE: Record<string, string> = {
  "": "io.k8s.api.core.v1",
  "apps": "io.k8s.api.apps.v1",
  "batch": "io.k8s.api.batch.v1",
  "coordination.k8s.io": "io.k8s.api.coordination.v1",
  "discovery.k8s.io": "io.k8s.api.discovery.v1",
  "events.k8s.io": "io.k8s.api.events.v1",
  "networking.k8s.io": "io.k8s.api.networking.v1",
  "storage.k8s.io": "io.k8s.api.storage.v1",
  "rbac.authorization.k8s.io": "io.k8s.api.rbac.v1",
  "authorization.k8s.io": "io.k8s.api.authorization.v1",
  "authentication.k8s.io": "io.k8s.api.authentication.v1",
};

function define(entry: Entry): ResourceInfo {
  return {
    ...entry,
    listKind: `${entry.kind}List`,
    singular: entry.singular ?? entry.kind.toLowerCase(),
    subresources: entry.subresources ?? [],
    schemaName: entry.schemaName ?? `${SCHEMA_PACKAGE[entry.group]}.${entry.kind}`,
  };
}

const core = { group: "", version: "v1" };
const apps = { group: "apps", version: "v1" };
const batch = { group: "batch", version: "v1" };
const rbac = { group: "rbac.authorization.k8s.io", version: "v1" };

/** Every built-in resource, in discovery order. */
export const BUILTIN_RESOURCES: readonly ResourceInfo[] = [
  define({
    ...core,
    kind: "Namespace",
    plural: "namespaces",
    namespaced: false,
    shortNames: ["ns"],
    subresources: ["status", "finalize"],
  }),
  define({
    ...core,
    kind: "Pod",
    plural: "pods",
    namespaced: true,
    shortNames: ["po"],
    categories: ["all"],
    subresources: [
      "status",
      "binding",
      "log",
      "exec",
      "attach",
      "portforward",
      "eviction",
      "ephemeralcontainers",
    ],
  }),
  define({
    ...core,
    kind: "Node",
    plural: "nodes",
    namespaced: false,
    shortNames: ["no"],
    subresources: ["status", "proxy"],
  }),
  define({
    ...core,
    kind: "Service",
    plural: "services",
    namespaced: true,
    shortNames: ["svc"],
    categories: ["all"],
    subresources: ["status", "proxy"],
  }),
  define({
    ...core,
    kind: "Endpoints",
    plural: "endpoints",
    namespaced: true,
    shortNames: ["ep"],
    singular: "endpoints",
  }),
  define({
    ...core,
    kind: "ConfigMap",
    plural: "configmaps",
    namespaced: true,
    shortNames: ["cm"],
  }),
  define({ ...core, kind: "Secret", plural: "secrets", namespaced: true }),
  define({
    ...core,
    kind: "ServiceAccount",
    plural: "serviceaccounts",
    namespaced: true,
    shortNames: ["sa"],
    subresources: ["token"],
  }),
  define({ ...core, kind: "Event", plural: "events", namespaced: true, shortNames: ["ev"] }),
  define({
    ...core,
    kind: "PersistentVolume",
    plural: "persistentvolumes",
    namespaced: false,
    shortNames: ["pv"],
    subresources: ["status"],
  }),
  define({
    ...core,
    kind: "PersistentVolumeClaim",
    plural: "persistentvolumeclaims",
    namespaced: true,
    shortNames: ["pvc"],
    subresources: ["status"],
  }),
  define({
    ...apps,
    kind: "Deployment",
    plural: "deployments",
    namespaced: true,
    shortNames: ["deploy"],
    categories: ["all"],
    subresources: ["status", "scale"],
  }),
  define({
    ...apps,
    kind: "ReplicaSet",
    plural: "replicasets",
    namespaced: true,
    shortNames: ["rs"],
    categories: ["all"],
    subresources: ["status", "scale"],
  }),
  define({
    ...apps,
    kind: "DaemonSet",
    plural: "daemonsets",
    namespaced: true,
    shortNames: ["ds"],
    categories: ["all"],
    subresources: ["status"],
  }),
  define({
    ...apps,
    kind: "StatefulSet",
    plural: "statefulsets",
    namespaced: true,
    shortNames: ["sts"],
    categories: ["all"],
    subresources: ["status", "scale"],
  }),
  define({ ...apps, kind: "ControllerRevision", plural: "controllerrevisions", namespaced: true }),
  define({
    ...batch,
    kind: "Job",
    plural: "jobs",
    namespaced: true,
    categories: ["all"],
    subresources: ["status"],
  }),
  define({
    ...batch,
    kind: "CronJob",
    plural: "cronjobs",
    namespaced: true,
    shortNames: ["cj"],
    categories: ["all"],
    subresources: ["status"],
  }),
  define({
    group: "coordination.k8s.io",
    version: "v1",
    kind: "Lease",
    plural: "leases",
    namespaced: true,
  }),
  define({
    group: "discovery.k8s.io",
    version: "v1",
    kind: "EndpointSlice",
    plural: "endpointslices",
    namespaced: true,
  }),
  define({
    group: "events.k8s.io",
    version: "v1",
    kind: "Event",
    plural: "events",
    namespaced: true,
    shortNames: ["ev"],
  }),
  define({
    group: "networking.k8s.io",
    version: "v1",
    kind: "Ingress",
    plural: "ingresses",
    namespaced: true,
    shortNames: ["ing"],
    subresources: ["status"],
  }),
  define({
    group: "networking.k8s.io",
    version: "v1",
    kind: "NetworkPolicy",
    plural: "networkpolicies",
    namespaced: true,
    shortNames: ["netpol"],
  }),
  define({
    group: "storage.k8s.io",
    version: "v1",
    kind: "StorageClass",
    plural: "storageclasses",
    namespaced: false,
    shortNames: ["sc"],
  }),
  define({ ...rbac, kind: "Role", plural: "roles", namespaced: true }),
  define({ ...rbac, kind: "ClusterRole", plural: "clusterroles", namespaced: false }),
  define({ ...rbac, kind: "RoleBinding", plural: "rolebindings", namespaced: true }),
  define({ ...rbac, kind: "ClusterRoleBinding", plural: "clusterrolebindings", namespaced: false }),
];

/** Verbs of an ordinary resource. */
export const STANDARD_VERBS = [
  "create",
  "delete",
  "deletecollection",
  "get",
  "list",
  "patch",
  "update",
  "watch",
] as const;
