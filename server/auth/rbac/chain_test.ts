/**
 * The whole chain the server runs: superuser, Node and RBAC authorisers over real stores with
 * the bootstrap policy and aggregation, answering the questions `kubectl auth can-i` asks.
 */
import { assert, assertEquals } from "../../../tests/helpers/assert.ts";
import { waitFor } from "../../../tests/helpers/wait.ts";
import type { RequestAttributes } from "../../apiserver/authz.ts";
import type { RequestUser } from "../../apiserver/store_types.ts";
import { silentLogger } from "../../log.ts";
import { openTestStores } from "../../../tests/helpers/stores.ts";
import { startClusterRoleAggregation } from "./aggregation.ts";
import { ensureBootstrapPolicy } from "./bootstrap_policy.ts";
import { startNodeAuthorizer } from "./node_authorizer.ts";
import { privilegedGroupsAuthorizer } from "./privileged_groups.ts";
import { startRbacAuthorizer } from "./rbac_authorizer.ts";
import { RBAC_GROUP } from "./types.ts";
import { unionAuthorizer } from "./union.ts";

const alice: RequestUser = { name: "alice", groups: ["system:authenticated"] };
const anonymous: RequestUser = { name: "system:anonymous", groups: ["system:unauthenticated"] };
const admin: RequestUser = {
  name: "system:admin",
  groups: ["system:masters", "system:authenticated"],
};
const scheduler: RequestUser = { name: "system:kube-scheduler", groups: ["system:authenticated"] };

function can(verb: string, combined: string, namespace?: string, group = ""): RequestAttributes {
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
  };
}

function url(path: string): RequestAttributes {
  return { verb: "get", isResourceRequest: false, path, group: "", version: "" };
}

Deno.test("authorization chain: bootstrap policy, aggregation and bindings as kubectl sees them", async () => {
  await using test = await openTestStores(["team-a", "team-b"]);
  const { stores } = test;
  await ensureBootstrapPolicy(stores);
  const stop = new AbortController();
  const { signal } = stop;
  const aggregation = startClusterRoleAggregation(stores, { signal, logger: silentLogger });
  const rbac = await startRbacAuthorizer(stores, { signal, logger: silentLogger });
  const node = await startNodeAuthorizer(stores, { signal, logger: silentLogger });
  const authz = unionAuthorizer(privilegedGroupsAuthorizer(), node, rbac);
  const allowed = (user: RequestUser, a: RequestAttributes) => authz.authorize(user, a).allowed;
  try {
    await Promise.all([rbac.synced(), node.synced()]);

    // Everyone authenticated: discovery and self-reviews, nothing else.
    assert(allowed(alice, url("/api")));
    assert(allowed(alice, url("/apis/apps/v1")));
    assert(
      allowed(alice, can("create", "selfsubjectaccessreviews", undefined, "authorization.k8s.io")),
    );
    assert(!allowed(alice, can("list", "pods", "team-a")));
    assertEquals(
      authz.authorize(alice, url("/api")).reason,
      'RBAC: allowed by ClusterRoleBinding "system:discovery" of ClusterRole "system:discovery" to Group "system:authenticated"',
    );
    // Anonymous: public info only.
    assert(allowed(anonymous, url("/version")));
    assert(allowed(anonymous, url("/healthz")));
    assert(!allowed(anonymous, url("/api")));
    // Masters, by the superuser authoriser and by the cluster-admin binding.
    assert(allowed(admin, can("delete", "nodes")));
    assert(rbac.authorize(admin, can("delete", "nodes")).allowed);
    // Components.
    assert(allowed(scheduler, can("create", "pods/binding", "team-a")));
    assert(!allowed(scheduler, can("delete", "nodes")));

    // view/edit in one namespace, once aggregation filled them.
    await stores.forKind(RBAC_GROUP, "RoleBinding").create("team-a", {
      metadata: { name: "alice-edit" },
      roleRef: { apiGroup: RBAC_GROUP, kind: "ClusterRole", name: "edit" },
      subjects: [{ apiGroup: RBAC_GROUP, kind: "User", name: "alice" }],
    });
    await waitFor("edit to reach alice", () => allowed(alice, can("list", "pods", "team-a")));
    assert(allowed(alice, can("create", "deployments", "team-a", "apps")));
    assert(allowed(alice, can("patch", "deployments/scale", "team-a", "apps")));
    assert(allowed(alice, can("get", "pods/log", "team-a")));
    assert(allowed(alice, can("get", "secrets", "team-a")));
    assert(!allowed(alice, can("create", "rolebindings", "team-a", RBAC_GROUP)), "admin only");
    assert(!allowed(alice, can("list", "pods", "team-b")));
    assert(!allowed(alice, can("list", "nodes")));

    const rules = authz.rulesFor(alice, "team-a");
    assertEquals(rules.incomplete, false);
    assert(rules.resourceRules.some((r) => r.resources?.includes("deployments/scale")));
    assert(rules.nonResourceRules.some((r) => r.nonResourceURLs?.includes("/api")));
  } finally {
    stop.abort();
    await Promise.all([aggregation, rbac.done, node.done]);
  }
});
