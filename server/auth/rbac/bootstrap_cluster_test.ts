/**
 * The bootstrap policy against a real server: kubectl sees it, and a restart on the same data
 * dir finds nothing to create or repair.
 */
import { assertEquals, assertStringIncludes } from "../../../tests/helpers/assert.ts";
import { startTestCluster } from "../../../tests/helpers/cluster.ts";
import { ensureBootstrapPolicy } from "./bootstrap_policy.ts";
import {
  AUTOUPDATE_ANNOTATION,
  BOOTSTRAP_CLUSTER_ROLE_BINDINGS,
  BOOTSTRAP_CLUSTER_ROLES,
} from "./bootstrap_roles.ts";

Deno.test("bootstrap policy: on a real server, idempotent across a restart", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "k3ts-rbac-cluster-" });
  try {
    {
      await using cluster = await startTestCluster([], dataDir);
      await ensureBootstrapPolicy(cluster.server.stores);
      const roles = await cluster.kubectlOk(["get", "clusterroles", "-o", "name"]);
      for (const role of BOOTSTRAP_CLUSTER_ROLES) {
        assertStringIncludes(
          roles,
          `clusterrole.rbac.authorization.k8s.io/${role.metadata.name}\n`,
        );
      }
      const bindings = await cluster.kubectlOk(["get", "clusterrolebindings", "-o", "name"]);
      for (const binding of BOOTSTRAP_CLUSTER_ROLE_BINDINGS) {
        assertStringIncludes(bindings, `/${binding.metadata.name}\n`);
      }
      // A user opts one role out of reconciliation and trims it.
      await cluster.kubectlOk([
        "annotate",
        "clusterrole",
        "system:monitoring",
        `${AUTOUPDATE_ANNOTATION}=false`,
        "--overwrite",
      ]);
      await cluster.kubectlOk([
        "patch",
        "clusterrole",
        "system:monitoring",
        "--type=json",
        "-p",
        '[{"op":"replace","path":"/rules","value":[{"verbs":["get"],"nonResourceURLs":["/metrics"]}]}]',
      ]);
    }
    {
      await using cluster = await startTestCluster([], dataDir);
      const again = await ensureBootstrapPolicy(cluster.server.stores);
      assertEquals(again, {
        created: [],
        updated: [],
        skipped: ["ClusterRole/system:monitoring"],
      });
      const monitoring = JSON.parse(
        await cluster.kubectlOk(["get", "clusterrole", "system:monitoring", "-o", "json"]),
      );
      assertEquals(monitoring.rules, [{ verbs: ["get"], nonResourceURLs: ["/metrics"] }]);
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
