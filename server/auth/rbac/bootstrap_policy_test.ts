import { assert, assertEquals } from "../../../tests/helpers/assert.ts";
import type { KubeObject } from "../../../kube/types.ts";
import type { StoreSet } from "../../apiserver/handler.ts";
import { openTestStores } from "../../../tests/helpers/stores.ts";
import { aggregateRules } from "./aggregation.ts";
import { ensureBootstrapPolicy } from "./bootstrap_policy.ts";
import {
  AUTOUPDATE_ANNOTATION,
  BOOTSTRAP_CLUSTER_ROLE_BINDINGS,
  BOOTSTRAP_CLUSTER_ROLES,
} from "./bootstrap_roles.ts";
import { RBAC_GROUP } from "./types.ts";

async function versions(stores: StoreSet): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const kind of ["ClusterRole", "ClusterRoleBinding"]) {
    const list = await stores.forKind(RBAC_GROUP, kind).list(undefined);
    for (const item of list.items) {
      out[`${kind}/${item.metadata.name}`] = item.metadata.resourceVersion!;
    }
  }
  return out;
}

Deno.test("bootstrap policy: creates everything once, then writes nothing, also after a restart", async () => {
  await using test = await openTestStores();
  const first = await ensureBootstrapPolicy(test.stores);
  assertEquals(
    first.created.length,
    BOOTSTRAP_CLUSTER_ROLES.length + BOOTSTRAP_CLUSTER_ROLE_BINDINGS.length,
  );
  const before = await versions(test.stores);

  const second = await ensureBootstrapPolicy(test.stores);
  assertEquals(second, { created: [], updated: [], skipped: [] });

  const restarted = await test.reopen();
  const third = await ensureBootstrapPolicy(restarted);
  assertEquals(third, { created: [], updated: [], skipped: [] });
  assertEquals(await versions(restarted), before);

  // Aggregated roles are created settled: the aggregation controller has nothing to write.
  const stored = (await restarted.forKind(RBAC_GROUP, "ClusterRole").list(undefined)).items;
  for (const role of stored.filter((r) => r.aggregationRule)) {
    assertEquals(role.rules, aggregateRules(role, stored), role.metadata.name);
  }
  assert(stored.find((r) => r.metadata.name === "admin")!.rules.length > 20);

  const admin = await restarted.forKind(RBAC_GROUP, "ClusterRoleBinding").get(
    undefined,
    "cluster-admin",
  );
  assertEquals(admin.subjects, [{ apiGroup: RBAC_GROUP, kind: "Group", name: "system:masters" }]);
  assertEquals(admin.metadata.labels, { "kubernetes.io/bootstrapping": "rbac-defaults" });
  assertEquals(admin.metadata.annotations, { [AUTOUPDATE_ANNOTATION]: "true" });
});

Deno.test("bootstrap policy: repairs auto-updated objects, keeps user additions", async (t) => {
  await using test = await openTestStores();
  await ensureBootstrapPolicy(test.stores);
  const roles = test.stores.forKind(RBAC_GROUP, "ClusterRole");
  const bindings = test.stores.forKind(RBAC_GROUP, "ClusterRoleBinding");

  await t.step("a removed rule comes back beside the user's own", async () => {
    const extra = { verbs: ["get"], nonResourceURLs: ["/metrics"] };
    await roles.updateWith(undefined, "system:discovery", (role) => {
      role.rules = [extra];
      return role;
    });
    const result = await ensureBootstrapPolicy(test.stores);
    assertEquals(result.updated, ["ClusterRole/system:discovery"]);
    const role = await roles.get(undefined, "system:discovery");
    assertEquals(role.rules[0], extra);
    assert(role.rules.some((r: KubeObject) => r.nonResourceURLs?.includes("/apis/*")));
  });

  await t.step("a removed subject comes back beside the user's own", async () => {
    await bindings.updateWith(undefined, "system:basic-user", (binding) => {
      binding.subjects = [{ apiGroup: RBAC_GROUP, kind: "User", name: "alice" }];
      return binding;
    });
    await ensureBootstrapPolicy(test.stores);
    const binding = await bindings.get(undefined, "system:basic-user");
    assertEquals(binding.subjects.map((s: KubeObject) => s.name), [
      "alice",
      "system:authenticated",
    ]);
  });

  await t.step("a deleted object is created again", async () => {
    await bindings.delete(undefined, "system:public-info-viewer");
    const result = await ensureBootstrapPolicy(test.stores);
    assertEquals(result.created, ["ClusterRoleBinding/system:public-info-viewer"]);
  });

  await t.step("a changed roleRef is put back by recreating the binding", async () => {
    const old = await bindings.get(undefined, "system:monitoring");
    await bindings.delete(undefined, "system:monitoring");
    await bindings.create(undefined, {
      ...old,
      metadata: { name: "system:monitoring", annotations: old.metadata.annotations },
      roleRef: { apiGroup: RBAC_GROUP, kind: "ClusterRole", name: "view" },
    });
    const result = await ensureBootstrapPolicy(test.stores);
    assertEquals(result.updated, ["ClusterRoleBinding/system:monitoring"]);
    const binding = await bindings.get(undefined, "system:monitoring");
    assertEquals(binding.roleRef.name, "system:monitoring");
  });

  await t.step('autoupdate "false" leaves the object as the user left it', async () => {
    await roles.updateWith(undefined, "system:basic-user", (role) => {
      role.metadata.annotations = { [AUTOUPDATE_ANNOTATION]: "false" };
      role.rules = [];
      return role;
    });
    const result = await ensureBootstrapPolicy(test.stores);
    assertEquals(result.skipped, ["ClusterRole/system:basic-user"]);
    assertEquals(result.updated, []);
    assertEquals((await roles.get(undefined, "system:basic-user")).rules, []);
  });
});
