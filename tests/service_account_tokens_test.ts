/**
 * Service-account and bootstrap tokens end to end with kubectl: `kubectl create token` (a
 * protobuf TokenRequest), the token as the only credential, revocation by deleting the
 * ServiceAccount, 401 for a forged token even on anonymous paths, and `k3ts token create`.
 */
import { ApiError } from "../kube/errors.ts";
import { KubeClient } from "../kube/client/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "./helpers/assert.ts";
import { runKubectl, startTestCluster } from "./helpers/cluster.ts";
import { clusterTlsPaths } from "../server/tls/bootstrap.ts";
import { renderKubeconfig } from "../server/tls/kubeconfig.ts";
import { runTokenCommand } from "../server/auth/tokens/token_cli.ts";
import {
  DEFAULT_API_AUDIENCES,
  ensureServiceAccountKey,
  ServiceAccountTokens,
} from "../server/auth/tokens/mod.ts";

Deno.test("tokens: kubectl create token, then kubectl with only that token", async (t) => {
  await using cluster = await startTestCluster();
  const caPem = await Deno.readTextFile(clusterTlsPaths(cluster.dataDir).serverCaCert);
  const server = cluster.server.url;
  const admin = cluster.kubeconfig;
  const cacheDir = await Deno.makeTempDir({ prefix: "k3ts-kubectl-" });
  const kubectl = (kubeconfig: string, ...args: string[]) => runKubectl(kubeconfig, cacheDir, args);
  const tokenKubeconfig = async (name: string, token: string) => {
    const path = `${cluster.dataDir}/${name}.yaml`;
    const text = renderKubeconfig({ serverUrl: server, caPem, certPem: "", keyPem: "" })
      .replace(
        /\n\s+client-certificate-data: ""\n\s+client-key-data: ""/,
        `\n      token: ${token}`,
      );
    await Deno.writeTextFile(path, text);
    return path;
  };

  try {
    let token = "";
    await t.step("kubectl create token (a protobuf TokenRequest) returns a JWT", async () => {
      const sa = await kubectl(admin, "create", "serviceaccount", "builder");
      assertEquals(sa.code, 0, sa.stderr);
      const created = await kubectl(admin, "create", "token", "builder", "--duration", "1h");
      assertEquals(created.code, 0, created.stderr);
      token = created.stdout.trim();
      // Every namespace has its `default` ServiceAccount, so this works on a fresh cluster too.
      const fresh = await kubectl(admin, "create", "token", "default");
      assertEquals(fresh.code, 0, fresh.stderr);
      assertEquals(token.split(".").length, 3);
    });

    await t.step("kubectl auth whoami with the token names the ServiceAccount", async () => {
      const config = await tokenKubeconfig("builder", token);
      const whoami = await kubectl(config, "auth", "whoami", "-o", "json");
      assertEquals(whoami.code, 0, whoami.stderr);
      const info = JSON.parse(whoami.stdout).status.userInfo;
      assertEquals(info.username, "system:serviceaccount:default:builder");
      assertEquals(info.groups, [
        "system:serviceaccounts",
        "system:serviceaccounts:default",
        "system:authenticated",
      ]);
      assert(info.extra["authentication.kubernetes.io/credential-id"][0].startsWith("JTI="));
      const pods = await kubectl(config, "get", "pods");
      assertEquals(pods.code, 1);
      assertStringIncludes(pods.stderr, 'User "system:serviceaccount:default:builder" cannot list');
    });

    await t.step("a too-short duration is upstream's 422", async () => {
      const short = await kubectl(admin, "create", "token", "builder", "--duration", "5m");
      assertEquals(short.code, 1);
      assertStringIncludes(
        short.stderr,
        'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes',
      );
    });

    await t.step("an expired token is 401", async () => {
      // Signed with the cluster's own key, but issued two hours ago for one hour.
      const key = await ensureServiceAccountKey(cluster.dataDir);
      const past = Date.now() - 2 * 3600_000;
      const account = await cluster.server.stores.forKind("", "ServiceAccount").get(
        "default",
        "builder",
      );
      const { token: expired } = await new ServiceAccountTokens(key, { now: () => past }).issue({
        namespace: "default",
        serviceAccount: { name: "builder", uid: account.metadata.uid! },
        audiences: DEFAULT_API_AUDIENCES,
        expirationSeconds: 3600,
      }, past);
      const whoami = await kubectl(await tokenKubeconfig("expired", expired), "auth", "whoami");
      assertEquals(whoami.code, 1);
      assertStringIncludes(whoami.stderr, "You must be logged in to the server (Unauthorized)");
    });

    await t.step("deleting the ServiceAccount ends the token: 401", async () => {
      const deleted = await kubectl(admin, "delete", "serviceaccount", "builder");
      assertEquals(deleted.code, 0, deleted.stderr);
      const config = await tokenKubeconfig("builder", token);
      const whoami = await kubectl(config, "auth", "whoami");
      assertEquals(whoami.code, 1);
      assertStringIncludes(whoami.stderr, "You must be logged in to the server (Unauthorized)");
    });

    await t.step("a forged token is 401 even where anonymous access is allowed", async () => {
      using client = new KubeClient({ server, caPem, token: `${token.slice(0, -4)}AAAA` });
      let error: unknown;
      await client.request("GET", "/version").catch((e) => error = e);
      assert(error instanceof ApiError);
      assertEquals([error.code, error.reason, error.message], [
        401,
        "Unauthorized",
        "Unauthorized",
      ]);
    });

    await t.step("a bootstrap token from `k3ts token create` authenticates", async () => {
      let out = "";
      const code = await runTokenCommand(["create"], {
        kubeconfigPath: admin,
        stdout: (s) => out += s,
        stderr: () => {},
      });
      assertEquals(code, 0);
      using client = new KubeClient({ server, caPem, token: out.trim().split("::")[1] });
      const review = await client.create<{ status: { userInfo: { username: string } } }>(
        "/apis/authentication.k8s.io/v1/selfsubjectreviews",
        { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
      );
      assertEquals(
        review.status.userInfo.username,
        `system:bootstrap:${out.split("::")[1].slice(0, 6)}`,
      );
    });
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});
