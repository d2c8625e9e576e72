/**
 * Legacy discovery documents for the capture server: just the resources the captured commands
 * touch, enough for kubectl's REST mapper.
 *
 * @module
 */

/** One resource the capture server advertises. */
export interface CaptureResource {
  /** `v1` or `group/version`. */
  groupVersion: string;
  /** Plural name, or `parent/sub` for a subresource. */
  name: string;
  /** Kind of the object sent to this resource. */
  kind: string;
  /** Whether the resource lives in a namespace. */
  namespaced: boolean;
}

const RESOURCES: CaptureResource[] = [
  ["v1", "namespaces", "Namespace", false],
  ["v1", "configmaps", "ConfigMap", true],
  ["v1", "secrets", "Secret", true],
  ["v1", "services", "Service", true],
  ["v1", "serviceaccounts", "ServiceAccount", true],
  ["v1", "serviceaccounts/token", "TokenRequest", true],
  ["v1", "resourcequotas", "ResourceQuota", true],
  ["v1", "pods", "Pod", true],
  ["apps/v1", "deployments", "Deployment", true],
  ["apps/v1", "deployments/scale", "Scale", true],
  ["apps/v1", "replicasets", "ReplicaSet", true],
  ["batch/v1", "jobs", "Job", true],
  ["batch/v1", "cronjobs", "CronJob", true],
  ["rbac.authorization.k8s.io/v1", "roles", "Role", true],
  ["rbac.authorization.k8s.io/v1", "rolebindings", "RoleBinding", true],
  ["rbac.authorization.k8s.io/v1", "clusterroles", "ClusterRole", false],
  ["rbac.authorization.k8s.io/v1", "clusterrolebindings", "ClusterRoleBinding", false],
  ["scheduling.k8s.io/v1", "priorityclasses", "PriorityClass", false],
  ["policy/v1", "poddisruptionbudgets", "PodDisruptionBudget", true],
  ["networking.k8s.io/v1", "ingresses", "Ingress", true],
  ["authorization.k8s.io/v1", "selfsubjectaccessreviews", "SelfSubjectAccessReview", false],
  ["authentication.k8s.io/v1", "selfsubjectreviews", "SelfSubjectReview", false],
].map(([groupVersion, name, kind, namespaced]) => ({
  groupVersion: groupVersion as string,
  name: name as string,
  kind: kind as string,
  namespaced: namespaced as boolean,
}));

function groupVersions(): string[] {
  return [...new Set(RESOURCES.map((r) => r.groupVersion).filter((gv) => gv !== "v1"))];
}

function resourceList(groupVersion: string) {
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion,
    resources: RESOURCES.filter((r) => r.groupVersion === groupVersion).map((r) => ({
      name: r.name,
      singularName: r.name.includes("/") ? "" : r.kind.toLowerCase(),
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.name.includes("/") ? ["create", "get"] : ["create", "get", "list", "delete"],
      ...(r.kind === "TokenRequest" ? { group: "authentication.k8s.io", version: "v1" } : {}),
    })),
  };
}

/** The discovery document for `path`, or undefined when `path` is not a discovery path. */
export function discoveryResponse(path: string): unknown {
  if (path === "/api") {
    return {
      kind: "APIVersions",
      versions: ["v1"],
      serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "127.0.0.1:6443" }],
    };
  }
  if (path === "/apis") {
    return {
      kind: "APIGroupList",
      apiVersion: "v1",
      groups: groupVersions().map((gv) => {
        const [group, version] = gv.split("/");
        const entry = { groupVersion: gv, version };
        return { name: group, versions: [entry], preferredVersion: entry };
      }),
    };
  }
  if (path === "/api/v1") return resourceList("v1");
  const match = path.match(/^\/apis\/([^/]+\/[^/]+)$/);
  if (match && groupVersions().includes(match[1])) return resourceList(match[1]);
  return undefined;
}

/** The resource a request path addresses (the last matching plural or subresource). */
export function findResource(path: string): CaptureResource | undefined {
  const parts = path.split("/").filter(Boolean);
  const gv = parts[0] === "api" ? parts[1] : `${parts[1]}/${parts[2]}`;
  const rest = parts.slice(parts[0] === "api" ? 2 : 3).filter((p, i, all) =>
    !(p === "namespaces" && i === 0 && all.length > 2)
  );
  const candidates = RESOURCES.filter((r) => r.groupVersion === gv);
  const names = rest.length >= 3 ? [`${rest[rest.length - 3]}/${rest[rest.length - 1]}`] : [];
  names.push(...rest);
  for (const name of names) {
    const found = candidates.find((r) => r.name === name);
    if (found) return found;
  }
  return undefined;
}
