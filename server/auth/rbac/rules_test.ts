import { assertEquals } from "../../../tests/helpers/assert.ts";
import type { RequestAttributes } from "../../apiserver/authz.ts";
import { ruleAllows, rulesCover } from "./rules.ts";
import type { PolicyRule } from "./types.ts";

/** A resource request: `verb group/resource[/sub] [name]`. */
function request(
  verb: string,
  group: string,
  combined: string,
  name?: string,
  namespace = "default",
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
    name,
  };
}

function url(verb: string, path: string): RequestAttributes {
  return { verb, isResourceRequest: false, path, group: "", version: "" };
}

const CASES: [string, PolicyRule, RequestAttributes, boolean][] = [
  [
    "exact verb, group, resource",
    { verbs: ["get"], apiGroups: [""], resources: ["pods"] },
    request("get", "", "pods", "a"),
    true,
  ],
  [
    "other verb",
    { verbs: ["get"], apiGroups: [""], resources: ["pods"] },
    request("list", "", "pods"),
    false,
  ],
  [
    "verb *",
    { verbs: ["*"], apiGroups: [""], resources: ["pods"] },
    request("deletecollection", "", "pods"),
    true,
  ],
  [
    "other group",
    { verbs: ["get"], apiGroups: ["apps"], resources: ["pods"] },
    request("get", "", "pods"),
    false,
  ],
  [
    "apiGroups *",
    { verbs: ["get"], apiGroups: ["*"], resources: ["deployments"] },
    request("get", "apps", "deployments"),
    true,
  ],
  [
    "no apiGroups matches no group",
    { verbs: ["get"], resources: ["pods"] },
    request("get", "", "pods"),
    false,
  ],
  [
    "resources * covers a subresource",
    { verbs: ["get"], apiGroups: [""], resources: ["*"] },
    request("get", "", "pods/log", "a"),
    true,
  ],
  [
    "pods does not cover pods/log",
    { verbs: ["get"], apiGroups: [""], resources: ["pods"] },
    request("get", "", "pods/log", "a"),
    false,
  ],
  [
    "pods/log exactly",
    { verbs: ["get"], apiGroups: [""], resources: ["pods/log"] },
    request("get", "", "pods/log", "a"),
    true,
  ],
  [
    "pods/log does not cover pods",
    { verbs: ["get"], apiGroups: [""], resources: ["pods/log"] },
    request("get", "", "pods", "a"),
    false,
  ],
  [
    "*/scale covers deployments/scale",
    { verbs: ["patch"], apiGroups: ["apps"], resources: ["*/scale"] },
    request("patch", "apps", "deployments/scale", "w"),
    true,
  ],
  [
    "*/scale does not cover deployments",
    { verbs: ["patch"], apiGroups: ["apps"], resources: ["*/scale"] },
    request("patch", "apps", "deployments", "w"),
    false,
  ],
  [
    "*/scale does not cover pods/status",
    { verbs: ["patch"], apiGroups: [""], resources: ["*/scale"] },
    request("patch", "", "pods/status", "w"),
    false,
  ],
  [
    "*/scale does not cover a longer subresource",
    { verbs: ["get"], apiGroups: [""], resources: ["*/scale"] },
    request("get", "", "x/rescale"),
    false,
  ],
  [
    "pods/* is not a wildcard (upstream)",
    { verbs: ["get"], apiGroups: [""], resources: ["pods/*"] },
    request("get", "", "pods/log", "a"),
    false,
  ],
  [
    "pods/* does not cover pods",
    { verbs: ["get"], apiGroups: [""], resources: ["pods/*"] },
    request("get", "", "pods", "a"),
    false,
  ],
  [
    "resourceNames allow the named object",
    { verbs: ["get"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["cm1"] },
    request("get", "", "configmaps", "cm1"),
    true,
  ],
  [
    "resourceNames deny another object",
    { verbs: ["get"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["cm1"] },
    request("get", "", "configmaps", "cm2"),
    false,
  ],
  [
    "resourceNames deny a list",
    { verbs: ["list"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["cm1"] },
    request("list", "", "configmaps"),
    false,
  ],
  [
    "empty resourceNames allow every name",
    { verbs: ["get"], apiGroups: [""], resources: ["configmaps"], resourceNames: [] },
    request("get", "", "configmaps", "x"),
    true,
  ],
  [
    "resource rule does not allow a URL",
    { verbs: ["get"], apiGroups: ["*"], resources: ["*"] },
    url("get", "/healthz"),
    false,
  ],
  ["URL exactly", { verbs: ["get"], nonResourceURLs: ["/healthz"] }, url("get", "/healthz"), true],
  [
    "URL other verb",
    { verbs: ["get"], nonResourceURLs: ["/healthz"] },
    url("post", "/healthz"),
    false,
  ],
  ["URL *", { verbs: ["get"], nonResourceURLs: ["*"] }, url("get", "/anything/at/all"), true],
  [
    "URL prefix*",
    { verbs: ["get"], nonResourceURLs: ["/apis/*"] },
    url("get", "/apis/apps/v1"),
    true,
  ],
  [
    "URL prefix* needs the prefix",
    { verbs: ["get"], nonResourceURLs: ["/apis/*"] },
    url("get", "/apis"),
    false,
  ],
  [
    "URL without * is exact",
    { verbs: ["get"], nonResourceURLs: ["/healthz"] },
    url("get", "/healthz/etcd"),
    false,
  ],
  [
    "URL rule does not allow a resource",
    { verbs: ["*"], nonResourceURLs: ["*"] },
    request("get", "", "pods"),
    false,
  ],
];

Deno.test("rules: ruleAllows follows upstream matching", async (t) => {
  for (const [name, rule, attributes, expected] of CASES) {
    await t.step(name, () => assertEquals(ruleAllows(rule, attributes), expected));
  }
});

Deno.test("rules: rulesCover compares grants, wildcards only covered by wildcards", () => {
  const owner: PolicyRule[] = [
    { verbs: ["get", "list"], apiGroups: [""], resources: ["pods", "pods/log"] },
    { verbs: ["*"], apiGroups: ["apps"], resources: ["*/scale"] },
    { verbs: ["get"], nonResourceURLs: ["/apis/*"] },
  ];
  assertEquals(rulesCover(owner, { verbs: ["get"], apiGroups: [""], resources: ["pods"] }), true);
  assertEquals(
    rulesCover(owner, {
      verbs: ["get"],
      apiGroups: [""],
      resources: ["pods"],
      resourceNames: ["a"],
    }),
    true,
  );
  assertEquals(
    rulesCover(owner, { verbs: ["watch"], apiGroups: [""], resources: ["pods"] }),
    false,
  );
  assertEquals(rulesCover(owner, { verbs: ["*"], apiGroups: [""], resources: ["pods"] }), false);
  assertEquals(rulesCover(owner, { verbs: ["get"], apiGroups: [""], resources: ["*"] }), false);
  assertEquals(
    rulesCover(owner, { verbs: ["update"], apiGroups: ["apps"], resources: ["deployments/scale"] }),
    true,
  );
  assertEquals(rulesCover(owner, { verbs: ["get"], nonResourceURLs: ["/apis/apps"] }), true);
  assertEquals(rulesCover(owner, { verbs: ["get"], nonResourceURLs: ["/apis/*"] }), true);
  assertEquals(rulesCover(owner, { verbs: ["get"], nonResourceURLs: ["/api"] }), false);
});
