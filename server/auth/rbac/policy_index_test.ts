import { assertEquals } from "../../../tests/helpers/assert.ts";
import type { RequestAttributes } from "../../apiserver/authz.ts";
import type { RequestUser } from "../../apiserver/store_types.ts";
import type { KubeObject } from "../../../kube/types.ts";
import { PolicyIndex } from "./policy_index.ts";
import type { PolicyRule, Subject } from "./types.ts";

const alice: RequestUser = { name: "alice", groups: ["dev", "system:authenticated"] };
const bob: RequestUser = { name: "bob", groups: ["system:authenticated"] };

function role(namespace: string, name: string, rules: PolicyRule[]): KubeObject {
  return { kind: "Role", metadata: { namespace, name }, rules };
}

function clusterRole(name: string, rules: PolicyRule[]): KubeObject {
  return { kind: "ClusterRole", metadata: { name }, rules };
}

function roleBinding(
  namespace: string,
  name: string,
  roleRef: { kind: string; name: string },
  subjects: Subject[],
): KubeObject {
  return {
    kind: "RoleBinding",
    metadata: { namespace, name },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", ...roleRef },
    subjects,
  };
}

function clusterRoleBinding(name: string, roleName: string, subjects: Subject[]): KubeObject {
  return {
    kind: "ClusterRoleBinding",
    metadata: { name },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: roleName },
    subjects,
  };
}

function get(resource: string, namespace?: string, name = "x"): RequestAttributes {
  return {
    verb: "get",
    isResourceRequest: true,
    path: "",
    group: "",
    version: "v1",
    resource,
    namespace,
    name,
  };
}

const READ_PODS: PolicyRule = { verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] };

Deno.test("policy index: a ClusterRoleBinding to a group allows everywhere, with upstream's reason", () => {
  const index = new PolicyIndex();
  index.apply("ADDED", clusterRole("pod-reader", [READ_PODS]));
  index.apply(
    "ADDED",
    clusterRoleBinding("devs", "pod-reader", [{ kind: "Group", name: "dev" }]),
  );
  assertEquals(index.authorize(alice, get("pods", "team-a")), {
    allowed: true,
    reason: 'RBAC: allowed by ClusterRoleBinding "devs" of ClusterRole "pod-reader" to Group "dev"',
  });
  assertEquals(index.authorize(alice, get("pods")).allowed, true);
  assertEquals(index.authorize(alice, get("secrets", "team-a")), { allowed: false });
  assertEquals(index.authorize(bob, get("pods", "team-a")), { allowed: false });
});

Deno.test("policy index: a RoleBinding only allows in its namespace", () => {
  const index = new PolicyIndex();
  index.apply("ADDED", role("team-a", "reader", [READ_PODS]));
  index.apply(
    "ADDED",
    roleBinding("team-a", "alice-reads", { kind: "Role", name: "reader" }, [
      { kind: "User", name: "alice" },
    ]),
  );
  assertEquals(index.authorize(alice, get("pods", "team-a")), {
    allowed: true,
    reason: 'RBAC: allowed by RoleBinding "alice-reads/team-a" of Role "reader" to User "alice"',
  });
  assertEquals(index.authorize(alice, get("pods", "team-b")).allowed, false);
  assertEquals(index.authorize(alice, get("pods")).allowed, false, "cluster-wide list");
});

Deno.test("policy index: a RoleBinding to a ClusterRole grants its rules in one namespace", () => {
  const index = new PolicyIndex();
  index.apply("ADDED", clusterRole("view", [READ_PODS]));
  index.apply(
    "ADDED",
    roleBinding("team-a", "view", { kind: "ClusterRole", name: "view" }, [
      { kind: "Group", name: "dev" },
    ]),
  );
  assertEquals(
    index.authorize(alice, get("pods", "team-a")).reason,
    'RBAC: allowed by RoleBinding "view/team-a" of ClusterRole "view" to Group "dev"',
  );
  assertEquals(index.authorize(alice, get("pods", "team-b")).allowed, false);
});

Deno.test("policy index: service-account subjects and namespace defaulting", async (t) => {
  const index = new PolicyIndex();
  index.apply("ADDED", clusterRole("pod-reader", [READ_PODS]));
  const sa = (ns: string, name: string): RequestUser => ({
    name: `system:serviceaccount:${ns}:${name}`,
    groups: ["system:serviceaccounts", `system:serviceaccounts:${ns}`, "system:authenticated"],
  });
  await t.step("a RoleBinding subject without namespace means the binding's namespace", () => {
    index.apply(
      "ADDED",
      roleBinding("team-a", "builder", { kind: "ClusterRole", name: "pod-reader" }, [
        { kind: "ServiceAccount", name: "builder" },
      ]),
    );
    assertEquals(
      index.authorize(sa("team-a", "builder"), get("pods", "team-a")).reason,
      'RBAC: allowed by RoleBinding "builder/team-a" of ClusterRole "pod-reader" to ServiceAccount "builder/team-a"',
    );
    assertEquals(index.authorize(sa("team-b", "builder"), get("pods", "team-a")).allowed, false);
  });
  await t.step("a RoleBinding may name a service account of another namespace", () => {
    index.apply(
      "ADDED",
      roleBinding("team-a", "ci", { kind: "ClusterRole", name: "pod-reader" }, [
        { kind: "ServiceAccount", name: "deployer", namespace: "ci" },
      ]),
    );
    assertEquals(index.authorize(sa("ci", "deployer"), get("pods", "team-a")).allowed, true);
    assertEquals(index.authorize(sa("ci", "deployer"), get("pods", "ci")).allowed, false);
  });
  await t.step("a ClusterRoleBinding subject without namespace matches nobody", () => {
    index.apply(
      "ADDED",
      clusterRoleBinding("nobody", "pod-reader", [{ kind: "ServiceAccount", name: "default" }]),
    );
    assertEquals(index.authorize(sa("team-c", "default"), get("pods", "team-c")).allowed, false);
  });
  await t.step("a ClusterRoleBinding with a namespaced service account", () => {
    index.apply(
      "ADDED",
      clusterRoleBinding("monitor", "pod-reader", [
        { kind: "ServiceAccount", name: "prom", namespace: "monitoring" },
      ]),
    );
    assertEquals(
      index.authorize(sa("monitoring", "prom"), get("pods", "anywhere")).reason,
      'RBAC: allowed by ClusterRoleBinding "monitor" of ClusterRole "pod-reader" to ServiceAccount "prom/monitoring"',
    );
  });
  await t.step("service-account groups bind like any group", () => {
    index.apply(
      "ADDED",
      clusterRoleBinding("all-sas", "pod-reader", [
        { kind: "Group", name: "system:serviceaccounts:team-d" },
      ]),
    );
    assertEquals(index.authorize(sa("team-d", "x"), get("pods", "y")).allowed, true);
    assertEquals(index.authorize(sa("team-e", "x"), get("pods", "y")).allowed, false);
  });
});

Deno.test("policy index: incremental updates", async (t) => {
  const index = new PolicyIndex();
  index.apply("ADDED", role("team-a", "reader", [READ_PODS]));
  const binding = roleBinding("team-a", "readers", { kind: "Role", name: "reader" }, [
    { kind: "User", name: "alice" },
  ]);
  index.apply("ADDED", binding);

  await t.step("deleting the binding revokes", () => {
    assertEquals(index.authorize(alice, get("pods", "team-a")).allowed, true);
    index.apply("DELETED", binding);
    assertEquals(index.authorize(alice, get("pods", "team-a")).allowed, false);
    assertEquals(index.size.roleBindings, 0);
  });
  await t.step("changing the subjects moves the grant", () => {
    index.apply("ADDED", binding);
    index.apply("MODIFIED", { ...binding, subjects: [{ kind: "User", name: "bob" }] });
    assertEquals(index.authorize(alice, get("pods", "team-a")).allowed, false);
    assertEquals(index.authorize(bob, get("pods", "team-a")).allowed, true);
  });
  await t.step("changing the role's rules changes the decision", () => {
    index.apply("MODIFIED", role("team-a", "reader", [{ ...READ_PODS, resources: ["secrets"] }]));
    assertEquals(index.authorize(bob, get("pods", "team-a")).allowed, false);
    assertEquals(index.authorize(bob, get("secrets", "team-a")).allowed, true);
  });
  await t.step("deleting the role revokes and says why", () => {
    index.apply("DELETED", role("team-a", "reader", []));
    assertEquals(index.authorize(bob, get("secrets", "team-a")), {
      allowed: false,
      reason: 'RBAC: role.rbac.authorization.k8s.io "reader" not found',
    });
  });
  await t.step("replace drops what a fresh list no longer has", () => {
    index.apply("ADDED", role("team-a", "reader", [READ_PODS]));
    index.replace("RoleBinding", []);
    assertEquals(index.authorize(bob, get("pods", "team-a")), { allowed: false });
    index.replace("RoleBinding", [binding]);
    assertEquals(index.authorize(alice, get("pods", "team-a")).allowed, true);
  });
  await t.step("non-RBAC objects are ignored", () => {
    assertEquals(index.apply("ADDED", { kind: "ConfigMap", metadata: { name: "x" } }), false);
  });
});

Deno.test("policy index: unresolvable role references", () => {
  const index = new PolicyIndex();
  index.apply("ADDED", clusterRoleBinding("a", "missing-a", [{ kind: "User", name: "alice" }]));
  index.apply("ADDED", {
    kind: "ClusterRoleBinding",
    metadata: { name: "b" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "r" },
    subjects: [{ kind: "Group", name: "dev" }],
  });
  index.apply("ADDED", clusterRoleBinding("c", "missing-c", [{ kind: "User", name: "bob" }]));
  assertEquals(index.authorize(alice, get("pods", "default")), {
    allowed: false,
    reason:
      'RBAC: [clusterrole.rbac.authorization.k8s.io "missing-a" not found, role.rbac.authorization.k8s.io "r" not found]',
  });
  // Bindings of other users are not resolved for this one.
  assertEquals(
    index.authorize(bob, get("pods", "default")).reason,
    'RBAC: clusterrole.rbac.authorization.k8s.io "missing-c" not found',
  );
});

Deno.test("policy index: non-resource URLs", () => {
  const index = new PolicyIndex();
  index.apply(
    "ADDED",
    clusterRole("discovery", [{ verbs: ["get"], nonResourceURLs: ["/apis/*"] }]),
  );
  index.apply(
    "ADDED",
    clusterRoleBinding("discovery", "discovery", [{ kind: "Group", name: "system:authenticated" }]),
  );
  const url = (path: string): RequestAttributes => ({
    verb: "get",
    isResourceRequest: false,
    path,
    group: "",
    version: "",
  });
  assertEquals(index.authorize(bob, url("/apis/apps/v1")).allowed, true);
  assertEquals(index.authorize(bob, url("/metrics")).allowed, false);
});

Deno.test("policy index: rulesFor lists cluster and namespace rules", () => {
  const index = new PolicyIndex();
  index.apply(
    "ADDED",
    clusterRole("basic", [
      {
        verbs: ["create"],
        apiGroups: ["authorization.k8s.io"],
        resources: ["selfsubjectaccessreviews"],
      },
      { verbs: ["get"], nonResourceURLs: ["/api", "/api/*"] },
    ]),
  );
  index.apply(
    "ADDED",
    clusterRoleBinding("basic", "basic", [{ kind: "Group", name: "system:authenticated" }]),
  );
  index.apply(
    "ADDED",
    role("team-a", "cm", [{
      verbs: ["get"],
      apiGroups: [""],
      resources: ["configmaps"],
      resourceNames: ["settings"],
    }]),
  );
  index.apply(
    "ADDED",
    roleBinding("team-a", "cm", { kind: "Role", name: "cm" }, [{ kind: "User", name: "alice" }]),
  );
  index.apply(
    "ADDED",
    roleBinding("team-a", "gone", { kind: "Role", name: "gone" }, [{
      kind: "User",
      name: "alice",
    }]),
  );
  assertEquals(index.rulesFor(alice, "team-a"), {
    resourceRules: [
      {
        verbs: ["create"],
        apiGroups: ["authorization.k8s.io"],
        resources: ["selfsubjectaccessreviews"],
      },
      { verbs: ["get"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["settings"] },
    ],
    nonResourceRules: [{ verbs: ["get"], nonResourceURLs: ["/api", "/api/*"] }],
    incomplete: false,
    evaluationError: 'role.rbac.authorization.k8s.io "gone" not found',
  });
  assertEquals(index.rulesFor(alice, "team-b").resourceRules.length, 1);
  assertEquals(index.rulesFor(alice, "").resourceRules.length, 1);
});
