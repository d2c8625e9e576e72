/**
 * RBAC as a user meets it through kubectl: a user with a certificate from the cluster's client
 * CA and an `edit` RoleBinding in one namespace can work there, gets upstream's 403 elsewhere,
 * lists what it may do with `auth can-i --list`; `--as` works for the admin and not for others;
 * deleting the binding revokes access.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./helpers/assert.ts";
import { runKubectl, startTestCluster } from "./helpers/cluster.ts";
import { waitFor } from "./helpers/wait.ts";
import { clusterTlsPaths } from "../server/tls/bootstrap.ts";
import { issueCertificate } from "../server/tls/mod.ts";
import { renderKubeconfig } from "../server/tls/kubeconfig.ts";

/** A kubeconfig for `user` (groups `groups`) with a certificate from the cluster's client CA. */
async function userKubeconfig(
  dataDir: string,
  serverUrl: string,
  user: string,
  groups: string[] = [],
): Promise<string> {
  const paths = clusterTlsPaths(dataDir);
  const [caPem, clientCaCert, clientCaKey] = await Promise.all(
    [paths.serverCaCert, paths.clientCaCert, paths.clientCaKey].map((p) => Deno.readTextFile(p)),
  );
  const issued = await issueCertificate(
    { certPem: clientCaCert, keyPem: clientCaKey },
    { commonName: user, organizations: groups, usage: "client", days: 1 },
  );
  const path = `${dataDir}/${user}.yaml`;
  await Deno.writeTextFile(
    path,
    renderKubeconfig({ serverUrl, caPem, certPem: issued.certPem, keyPem: issued.keyPem! }),
    { mode: 0o600 },
  );
  return path;
}

Deno.test("rbac: an edit RoleBinding grants one namespace, 403 elsewhere, --as for admins", async (t) => {
  await using cluster = await startTestCluster();
  const cacheDir = await Deno.makeTempDir({ prefix: "k3ts-kubectl-" });
  const alice = await userKubeconfig(cluster.dataDir, cluster.server.url, "alice", ["dev"]);
  const asAlice = (...args: string[]) => runKubectl(alice, cacheDir, args);
  try {
    await cluster.kubectlOk(["create", "namespace", "team-a"]);
    await cluster.kubectlOk(["create", "namespace", "team-b"]);

    await t.step("without a binding alice may not list pods", async () => {
      const denied = await asAlice("get", "pods", "-n", "team-a");
      assertEquals(denied.code, 1);
      assertStringIncludes(
        denied.stderr,
        'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "team-a"',
      );
      assertEquals(
        (await asAlice("auth", "can-i", "create", "deployments", "-n", "team-a")).stdout.trim(),
        "no",
      );
    });

    await t.step("an edit RoleBinding lets alice create a deployment in team-a", async () => {
      await cluster.kubectlOk([
        "create",
        "rolebinding",
        "alice-edit",
        "--clusterrole=edit",
        "--user=alice",
        "-n",
        "team-a",
      ]);
      await waitFor(
        "alice can create deployments",
        async () =>
          (await asAlice("auth", "can-i", "create", "deployments", "-n", "team-a")).stdout
            .trim() ===
            "yes",
        10_000,
      );
      const created = await asAlice(
        "create",
        "deployment",
        "web",
        "--image=busybox",
        "-n",
        "team-a",
      );
      assertEquals(created.code, 0, created.stderr);
      const listed = await asAlice("get", "deployments", "-n", "team-a", "-o", "name");
      assertEquals(listed.stdout.trim(), "deployment.apps/web");
    });

    await t.step("elsewhere alice gets upstream's 403", async () => {
      const denied = await asAlice(
        "create",
        "deployment",
        "web",
        "--image=busybox",
        "-n",
        "team-b",
      );
      assertEquals(denied.code, 1);
      assertStringIncludes(
        denied.stderr,
        'deployments.apps is forbidden: User "alice" cannot create resource "deployments" in API group "apps" in the namespace "team-b"',
      );
      const secrets = await asAlice("get", "secrets", "-A");
      assertEquals(secrets.code, 1);
      assertStringIncludes(secrets.stderr, "at the cluster scope");
    });

    await t.step("auth can-i --list shows alice's rules in team-a", async () => {
      const listed = await asAlice("auth", "can-i", "--list", "-n", "team-a");
      assertEquals(listed.code, 0, listed.stderr);
      assertMatch(listed.stdout, /deployments\.apps\s+\[\]\s+\[\]\s+\[.*create.*\]/);
      assertMatch(listed.stdout, /selfsubjectaccessreviews\.authorization\.k8s\.io/);
      const elsewhere = await asAlice("auth", "can-i", "--list", "-n", "team-b");
      assert(!/deployments\.apps/.test(elsewhere.stdout), elsewhere.stdout);
    });

    await t.step("--as works for the admin and is refused for alice", async () => {
      const asAdmin = await cluster.kubectl([
        "auth",
        "whoami",
        "--as",
        "bob",
        "--as-group",
        "qa",
        "-o",
        "json",
      ]);
      assertEquals(asAdmin.code, 0, asAdmin.stderr);
      const info = JSON.parse(asAdmin.stdout).status.userInfo;
      assertEquals(info.username, "bob");
      assertEquals(info.groups, ["qa", "system:authenticated"]);
      const canI = await cluster.kubectl([
        "auth",
        "can-i",
        "create",
        "deployments",
        "-n",
        "team-a",
        "--as",
        "alice",
      ]);
      assertEquals(canI.stdout.trim(), "yes");
      const refused = await asAlice("get", "pods", "-n", "team-a", "--as", "bob");
      assertEquals(refused.code, 1);
      assertStringIncludes(
        refused.stderr,
        'users "bob" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope',
      );
    });

    await t.step("deleting the RoleBinding revokes access", async () => {
      await cluster.kubectlOk(["delete", "rolebinding", "alice-edit", "-n", "team-a"]);
      await waitFor(
        "alice loses access",
        async () =>
          (await asAlice("auth", "can-i", "create", "deployments", "-n", "team-a")).stdout
            .trim() ===
            "no",
        10_000,
      );
      const denied = await asAlice("get", "deployments", "-n", "team-a");
      assertEquals(denied.code, 1);
    });
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});
