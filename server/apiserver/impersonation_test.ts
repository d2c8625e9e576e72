import assert from "node:assert/strict";
import { ApiError } from "../../kube/errors.ts";
import type { Authorizer, RequestAttributes } from "./authz.ts";
import { impersonate, wantsImpersonation } from "./impersonation.ts";

const caller = { name: "alice", groups: ["system:authenticated"] };

/** Allows what `allowed` says and records every question. */
function authorizer(allowed: (attributes: RequestAttributes) => boolean) {
  const asked: RequestAttributes[] = [];
  const authz: Authorizer = {
    authorize(_user, attributes) {
      asked.push(attributes);
      return { allowed: allowed(attributes) };
    },
  };
  return { authz, asked };
}

Deno.test("impersonation: only Impersonate-* headers ask for it", () => {
  assert.equal(wantsImpersonation({ "content-type": "application/json" }), false);
  assert.equal(wantsImpersonation({ "impersonate-user": "bob" }), true);
  assert.equal(wantsImpersonation({ "impersonate-uid": "1" }), true);
  assert.equal(wantsImpersonation({ "impersonate-extra-scopes": "view" }), true);
});

Deno.test("impersonation: each part is authorised, and the new identity is returned", () => {
  const { authz, asked } = authorizer(() => true);
  const user = impersonate(
    {
      "impersonate-user": "system:serviceaccount:apps:builder",
      "impersonate-group": "devs, ops",
      "impersonate-extra-scopes": "view, edit",
    },
    caller,
    authz,
  );
  assert.deepEqual(user, {
    name: "system:serviceaccount:apps:builder",
    groups: [
      "devs",
      "ops",
      "system:serviceaccounts",
      "system:serviceaccounts:apps",
      "system:authenticated",
    ],
    extra: { scopes: ["view", "edit"] },
  });
  assert.deepEqual(
    asked.map((a) => [a.resource, a.subresource ?? "", a.name, a.namespace ?? ""]),
    [
      ["serviceaccounts", "", "builder", "apps"],
      ["groups", "", "devs", ""],
      ["groups", "", "ops", ""],
      ["userextras", "scopes", "view", ""],
      ["userextras", "scopes", "edit", ""],
    ],
  );
});

Deno.test("impersonation: a part the caller may not impersonate is 403; parts without a user 400", () => {
  const { authz } = authorizer((a) => a.resource !== "groups");
  assert.throws(
    () => impersonate({ "impersonate-user": "bob", "impersonate-group": "admins" }, caller, authz),
    (error) => error instanceof ApiError && error.code === 403,
  );
  assert.throws(
    () => impersonate({ "impersonate-extra-scopes": "view" }, caller, authz),
    (error) => error instanceof ApiError && error.code === 400,
  );
});

Deno.test("impersonation: an extra named __proto__ is an extra like any other; bad encoding is 400", () => {
  const { authz, asked } = authorizer(() => true);
  const user = impersonate(
    { "impersonate-user": "bob", "impersonate-extra-%5F%5Fproto%5F%5F": "x" },
    caller,
    authz,
  );
  assert.deepEqual(Object.keys(user.extra ?? {}), ["__proto__"]);
  assert.deepEqual(asked.at(-1)?.subresource, "__proto__");
  assert.throws(
    () => impersonate({ "impersonate-user": "bob", "impersonate-extra-%zz": "x" }, caller, authz),
    (error) => error instanceof ApiError && error.code === 400,
  );
});
