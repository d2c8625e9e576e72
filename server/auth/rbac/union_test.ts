import { assertEquals } from "../../../tests/helpers/assert.ts";
import type { Authorizer, RequestAttributes } from "../../apiserver/authz.ts";
import type { RequestUser } from "../../apiserver/store_types.ts";
import { privilegedGroupsAuthorizer } from "./privileged_groups.ts";
import type { RuleAuthorizer } from "./types.ts";
import { unionAuthorizer } from "./union.ts";

const alice: RequestUser = { name: "alice", groups: ["system:authenticated"] };
const admin: RequestUser = { name: "system:admin", groups: ["system:masters"] };
const listPods: RequestAttributes = {
  verb: "list",
  isResourceRequest: true,
  path: "/api/v1/pods",
  group: "",
  version: "v1",
  resource: "pods",
};

function fixed(allowed: boolean, reason?: string): Authorizer {
  return { authorize: () => (reason ? { allowed, reason } : { allowed }) };
}

Deno.test("union: the first allow wins, else the last reason given", () => {
  assertEquals(
    unionAuthorizer(fixed(false, "first"), fixed(true, "second"), fixed(true, "third"))
      .authorize(alice, listPods),
    { allowed: true, reason: "second" },
  );
  assertEquals(
    unionAuthorizer(fixed(false, "first"), fixed(false, "second"), fixed(false))
      .authorize(alice, listPods),
    { allowed: false, reason: "second" },
  );
  assertEquals(unionAuthorizer().authorize(alice, listPods), { allowed: false });
});

Deno.test("union: rulesFor concatenates and marks what cannot be listed", () => {
  const rbac: RuleAuthorizer = {
    authorize: () => ({ allowed: false }),
    rulesFor: () => ({
      resourceRules: [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }],
      nonResourceRules: [],
      incomplete: false,
      evaluationError: 'clusterrole.rbac.authorization.k8s.io "x" not found',
    }),
  };
  const union = unionAuthorizer(privilegedGroupsAuthorizer(), rbac);
  assertEquals(union.rulesFor(alice, "default"), {
    resourceRules: [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }],
    nonResourceRules: [],
    incomplete: false,
    evaluationError: 'clusterrole.rbac.authorization.k8s.io "x" not found',
  });
  assertEquals(union.rulesFor(admin, "default").resourceRules.length, 1, "no superuser wildcard");
  assertEquals(unionAuthorizer(fixed(true), rbac).rulesFor(alice, "default").incomplete, true);
});

Deno.test("privileged groups: masters may do anything, others get no opinion", () => {
  const superuser = privilegedGroupsAuthorizer();
  assertEquals(superuser.authorize(admin, listPods), { allowed: true });
  assertEquals(superuser.authorize(alice, listPods), { allowed: false });
});
