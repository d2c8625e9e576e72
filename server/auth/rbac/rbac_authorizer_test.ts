import { assert, assertEquals } from "../../../tests/helpers/assert.ts";
import { waitFor } from "../../../tests/helpers/wait.ts";
import type { RequestAttributes } from "../../apiserver/authz.ts";
import type { RequestUser } from "../../apiserver/store_types.ts";
import { silentLogger } from "../../log.ts";
import { openTestStores } from "../../../tests/helpers/stores.ts";
import { startRbacAuthorizer } from "./rbac_authorizer.ts";
import { RBAC_GROUP } from "./types.ts";

const alice: RequestUser = { name: "alice", groups: ["system:authenticated"] };
const getPods: RequestAttributes = {
  verb: "get",
  isResourceRequest: true,
  path: "/api/v1/namespaces/team-a/pods/web",
  group: "",
  version: "v1",
  resource: "pods",
  namespace: "team-a",
  name: "web",
};

Deno.test("rbac authorizer: follows the stores, so deleting a binding revokes", async () => {
  await using test = await openTestStores(["team-a"]);
  const { stores } = test;
  const roles = stores.forKind(RBAC_GROUP, "Role");
  const bindings = stores.forKind(RBAC_GROUP, "RoleBinding");
  // Present before the start: picked up by the initial list.
  await roles.create("team-a", {
    metadata: { name: "reader" },
    rules: [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }],
  });
  const stop = new AbortController();
  const rbac = await startRbacAuthorizer(stores, { signal: stop.signal, logger: silentLogger });
  try {
    await rbac.synced();
    assertEquals(rbac.index.size.roles, 1);
    assertEquals(rbac.authorize(alice, getPods), { allowed: false });

    await bindings.create("team-a", {
      metadata: { name: "alice-reads" },
      roleRef: { apiGroup: RBAC_GROUP, kind: "Role", name: "reader" },
      subjects: [{ apiGroup: RBAC_GROUP, kind: "User", name: "alice" }],
    });
    await waitFor("the binding to allow", () => rbac.authorize(alice, getPods).allowed);
    assertEquals(
      rbac.authorize(alice, getPods).reason,
      'RBAC: allowed by RoleBinding "alice-reads/team-a" of Role "reader" to User "alice"',
    );
    assertEquals(rbac.rulesFor(alice, "team-a").resourceRules, [
      { verbs: ["get"], apiGroups: [""], resources: ["pods"] },
    ]);

    await bindings.delete("team-a", "alice-reads");
    await waitFor("the deletion to revoke", () => !rbac.authorize(alice, getPods).allowed);

    await bindings.create("team-a", {
      metadata: { name: "alice-reads" },
      roleRef: { apiGroup: RBAC_GROUP, kind: "Role", name: "reader" },
      subjects: [{ apiGroup: RBAC_GROUP, kind: "User", name: "alice" }],
    });
    await waitFor("the binding to allow again", () => rbac.authorize(alice, getPods).allowed);
    await roles.delete("team-a", "reader");
    await waitFor(
      "the role deletion to revoke",
      () => rbac.authorize(alice, getPods).reason?.includes("not found"),
    );
  } finally {
    stop.abort();
    await rbac.done;
  }
});

Deno.test("rbac authorizer: synced rejects when stopped first", async () => {
  await using test = await openTestStores();
  const stop = new AbortController();
  stop.abort(new Error("stopping"));
  const rbac = await startRbacAuthorizer(test.stores, {
    signal: stop.signal,
    logger: silentLogger,
  });
  let rejected = false;
  await rbac.synced().catch(() => rejected = true);
  assert(rejected);
  await rbac.done;
});
