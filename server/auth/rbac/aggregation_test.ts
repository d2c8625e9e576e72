import { assert, assertEquals } from "../../../tests/helpers/assert.ts";
import { waitFor } from "../../../tests/helpers/wait.ts";
import { deepEqual } from "../../../kube/deep_equal.ts";
import type { KubeObject } from "../../../kube/types.ts";
import { silentLogger } from "../../log.ts";
import { openTestStores } from "../../../tests/helpers/stores.ts";
import {
  aggregateRules,
  settleAggregatedRoles,
  startClusterRoleAggregation,
} from "./aggregation.ts";
import { ensureBootstrapPolicy } from "./bootstrap_policy.ts";
import { BOOTSTRAP_CLUSTER_ROLES } from "./bootstrap_roles.ts";
import { type PolicyRule, RBAC_GROUP } from "./types.ts";

function role(name: string, labels: Record<string, string>, rules: PolicyRule[]): KubeObject {
  return { kind: "ClusterRole", metadata: { name, labels }, rules };
}

const R1: PolicyRule = { verbs: ["get"], apiGroups: [""], resources: ["pods"] };
const R2: PolicyRule = { verbs: ["list"], apiGroups: [""], resources: ["pods"] };
const R3: PolicyRule = { verbs: ["get"], apiGroups: ["apps"], resources: ["deployments"] };

Deno.test("aggregateRules: union of matching roles by name order, each rule once", () => {
  const aggregated: KubeObject = {
    kind: "ClusterRole",
    metadata: { name: "agg", labels: { pick: "yes" } },
    aggregationRule: {
      clusterRoleSelectors: [
        { matchLabels: { pick: "yes" } },
        { matchExpressions: [{ key: "tier", operator: "In", values: ["x"] }] },
      ],
    },
  };
  const all = [
    aggregated,
    role("b", { pick: "yes" }, [R2, R1]),
    role("a", { pick: "yes" }, [R1]),
    role("c", { pick: "no" }, [R3]),
    role("d", { tier: "x" }, [R3, R1]),
  ];
  assertEquals(aggregateRules(aggregated, all), [R1, R2, R3]);
  assertEquals(aggregateRules(role("plain", {}, [R1]), all), undefined);
  const everything: KubeObject = { ...aggregated, aggregationRule: { clusterRoleSelectors: [{}] } };
  assertEquals(aggregateRules(everything, all), [R1, R2, R3]);
  const none: KubeObject = { ...aggregated, aggregationRule: {} };
  assertEquals(aggregateRules(none, all), []);
});

Deno.test("settleAggregatedRoles: rules travel along chains of aggregated roles", () => {
  const top: KubeObject = {
    kind: "ClusterRole",
    metadata: { name: "top" },
    aggregationRule: { clusterRoleSelectors: [{ matchLabels: { to: "top" } }] },
  };
  const middle: KubeObject = {
    kind: "ClusterRole",
    metadata: { name: "middle", labels: { to: "top" } },
    aggregationRule: { clusterRoleSelectors: [{ matchLabels: { to: "middle" } }] },
  };
  const leaf = role("leaf", { to: "middle" }, [R1]);
  const input = [top, middle, leaf];
  const settled = settleAggregatedRoles(input);
  assertEquals(settled.find((r) => r.metadata.name === "middle")!.rules, [R1]);
  assertEquals(settled.find((r) => r.metadata.name === "top")!.rules, [R1]);
  assertEquals(top.rules, undefined, "inputs are not changed");
});

Deno.test("cluster role aggregation: admin/edit/view settle and follow label changes", async () => {
  await using test = await openTestStores();
  await ensureBootstrapPolicy(test.stores);
  const roles = test.stores.forKind(RBAC_GROUP, "ClusterRole");
  const stop = new AbortController();
  const running = startClusterRoleAggregation(test.stores, {
    signal: stop.signal,
    logger: silentLogger,
  });
  const rulesOf = async (name: string): Promise<PolicyRule[]> =>
    (await roles.get(undefined, name)).rules ?? [];
  const has = (rules: PolicyRule[], rule: PolicyRule) => rules.some((r) => deepEqual(r, rule));
  const partRules = (name: string): PolicyRule[] =>
    BOOTSTRAP_CLUSTER_ROLES.find((r) => r.metadata.name === name)!.rules;
  try {
    await waitFor("admin to hold the view, edit and admin parts", async () => {
      const admin = await rulesOf("admin");
      return [
        ...partRules("system:aggregate-to-admin"),
        ...partRules("system:aggregate-to-edit"),
        ...partRules("system:aggregate-to-view"),
      ].every((r) => has(admin, r));
    });
    const view = await rulesOf("view");
    assertEquals(view, partRules("system:aggregate-to-view"));
    const edit = await rulesOf("edit");
    assert(!has(edit, partRules("system:aggregate-to-admin")[1]), "edit has no RBAC writes");

    const crontabs: PolicyRule = {
      verbs: ["get", "list", "watch"],
      apiGroups: ["stable.example.com"],
      resources: ["crontabs"],
    };
    await roles.create(undefined, {
      metadata: {
        name: "crontab-viewer",
        labels: { "rbac.authorization.k8s.io/aggregate-to-view": "true" },
      },
      rules: [crontabs],
    });
    await waitFor(
      "a new part to reach view, edit and admin",
      async () =>
        has(await rulesOf("view"), crontabs) && has(await rulesOf("edit"), crontabs) &&
        has(await rulesOf("admin"), crontabs),
    );

    await roles.updateWith(undefined, "crontab-viewer", (r) => {
      r.metadata.labels = {};
      return r;
    });
    await waitFor(
      "the unlabelled part to leave view, edit and admin",
      async () =>
        !has(await rulesOf("view"), crontabs) && !has(await rulesOf("edit"), crontabs) &&
        !has(await rulesOf("admin"), crontabs),
    );
  } finally {
    stop.abort();
    await running;
  }
});
