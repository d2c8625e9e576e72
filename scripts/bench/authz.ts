/**
 * Authorisation benchmark: the decision latency of the server's chain (superuser, Node, RBAC)
 * for a non-admin user, with the bootstrap policy (aggregated roles filled) plus 1,000 Roles and
 * 1,000 RoleBindings across 100 namespaces. Allowed and denied requests are timed one decision
 * at a time.
 *
 * Run: `scripts/deno run scripts/bench/authz.ts`
 *
 * @module
 */
import type { KubeObject } from "../../kube/types.ts";
import type { RequestAttributes } from "../../server/apiserver/authz.ts";
import type { RequestUser } from "../../server/apiserver/store_types.ts";
import { settleAggregatedRoles } from "../../server/auth/rbac/aggregation.ts";
import {
  BOOTSTRAP_CLUSTER_ROLE_BINDINGS,
  BOOTSTRAP_CLUSTER_ROLES,
} from "../../server/auth/rbac/bootstrap_roles.ts";
import { NodeGraph } from "../../server/auth/rbac/node_graph.ts";
import { createNodeAuthorizer } from "../../server/auth/rbac/node_authorizer.ts";
import { PolicyIndex } from "../../server/auth/rbac/policy_index.ts";
import { privilegedGroupsAuthorizer } from "../../server/auth/rbac/privileged_groups.ts";
import { type PolicyRule, RBAC_GROUP } from "../../server/auth/rbac/types.ts";
import { unionAuthorizer } from "../../server/auth/rbac/union.ts";

const NAMESPACES = 100;
const PER_NAMESPACE = 10;
const DECISIONS = 20_000;
const WARMUP = 2_000;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Role `i` of a namespace: a few rules, different per `i`. */
function namespaceRules(i: number): PolicyRule[] {
  const resources = [
    ["pods", "pods/log", "services"],
    ["configmaps", "secrets"],
    ["persistentvolumeclaims", "events"],
    ["endpoints", "serviceaccounts"],
  ][i % 4];
  return [
    { verbs: ["get", "list", "watch"], apiGroups: [""], resources },
    { verbs: ["get", "list"], apiGroups: ["apps"], resources: ["deployments", "replicasets"] },
    { verbs: ["create", "delete"], apiGroups: ["batch"], resources: ["jobs"] },
    {
      verbs: ["get"],
      apiGroups: [""],
      resources: ["configmaps"],
      resourceNames: [`settings-${i}`],
    },
  ];
}

/** 1,000 Roles and 1,000 RoleBindings; group `team-<i>` is bound in every namespace. */
function namespacePolicy(): KubeObject[] {
  const objects: KubeObject[] = [];
  for (let n = 0; n < NAMESPACES; n++) {
    const namespace = `ns-${n}`;
    for (let i = 0; i < PER_NAMESPACE; i++) {
      objects.push({
        kind: "Role",
        metadata: { namespace, name: `role-${i}` },
        rules: namespaceRules(i),
      });
      objects.push({
        kind: "RoleBinding",
        metadata: { namespace, name: `binding-${i}` },
        roleRef: { apiGroup: RBAC_GROUP, kind: "Role", name: `role-${i}` },
        subjects: [
          { apiGroup: RBAC_GROUP, kind: "User", name: `user-${n}-${i}` },
          { apiGroup: RBAC_GROUP, kind: "Group", name: `team-${i}` },
          { kind: "ServiceAccount", name: `sa-${i}` },
        ],
      });
    }
  }
  return objects;
}

function request(
  verb: string,
  combined: string,
  namespace?: string,
  group = "",
): RequestAttributes {
  const [resource, subresource] = combined.split("/");
  return {
    verb,
    isResourceRequest: true,
    path: "",
    group,
    version: "v1",
    resource,
    subresource,
    namespace,
    name: verb === "list" ? undefined : "x",
  };
}

/**
 * Times {@link DECISIONS} allowed and as many denied decisions.
 * @returns figures keyed by name, with the unit in the name.
 */
export function benchAuthz(): Promise<Record<string, number>> {
  const index = new PolicyIndex();
  const loadStart = performance.now();
  for (const role of settleAggregatedRoles(BOOTSTRAP_CLUSTER_ROLES)) index.apply("ADDED", role);
  for (const binding of BOOTSTRAP_CLUSTER_ROLE_BINDINGS) index.apply("ADDED", binding);
  for (const object of namespacePolicy()) index.apply("ADDED", object);
  const loadMs = performance.now() - loadStart;
  const authorizer = unionAuthorizer(
    privilegedGroupsAuthorizer(),
    createNodeAuthorizer(new NodeGraph()),
    index,
  );

  // team-0 role: pods, pods/log, services, deployments, jobs in every namespace.
  const user: RequestUser = { name: "alice", groups: ["team-0", "system:authenticated"] };
  const allowed: RequestAttributes[] = [];
  const denied: RequestAttributes[] = [];
  for (let n = 0; n < NAMESPACES; n++) {
    const ns = `ns-${n}`;
    allowed.push(request("get", "pods", ns), request("get", "pods/log", ns));
    allowed.push(
      request("list", "deployments", ns, "apps"),
      request("create", "jobs", ns, "batch"),
    );
    denied.push(request("get", "secrets", ns), request("delete", "deployments", ns, "apps"));
    denied.push(request("create", "rolebindings", ns, RBAC_GROUP), request("get", "pods/exec", ns));
  }
  allowed.push({
    verb: "get",
    isResourceRequest: false,
    path: "/apis/apps/v1",
    group: "",
    version: "",
  });
  denied.push(request("list", "nodes"), request("create", "clusterroles", undefined, RBAC_GROUP));

  const time = (requests: RequestAttributes[], expect: boolean): number[] => {
    const samples: number[] = [];
    for (let i = 0; i < WARMUP + DECISIONS; i++) {
      const attributes = requests[i % requests.length];
      const t0 = performance.now();
      const decision = authorizer.authorize(user, attributes);
      const elapsed = performance.now() - t0;
      if (decision.allowed !== expect) {
        throw new Error(`unexpected decision for ${JSON.stringify(attributes)}`);
      }
      if (i >= WARMUP) samples.push(elapsed * 1000);
    }
    return samples;
  };
  const allowedUs = time(allowed, true);
  const deniedUs = time(denied, false);
  const all = [...allowedUs, ...deniedUs];
  return Promise.resolve({
    authz_decision_us_p50: percentile(all, 50),
    authz_decision_us_p99: percentile(all, 99),
    authz_allowed_us_p50: percentile(allowedUs, 50),
    authz_allowed_us_p99: percentile(allowedUs, 99),
    authz_denied_us_p50: percentile(deniedUs, 50),
    authz_denied_us_p99: percentile(deniedUs, 99),
    authz_policy_load_ms: loadMs,
    authz_role_bindings: index.size.roleBindings,
  });
}

if (import.meta.main) {
  const figures = await benchAuthz();
  for (const [name, value] of Object.entries(figures)) {
    console.log(`${name.padEnd(28)} ${value.toFixed(2).padStart(10)}`);
  }
}
