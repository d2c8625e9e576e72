/**
 * `k3ts token` against a real server: bootstrap tokens created, listed and deleted through the
 * API with the admin kubeconfig, then checked by the bearer authenticator on the server's stores.
 */
import { assert, assertEquals, assertMatch } from "../../../tests/helpers/assert.ts";
import { startTestCluster } from "../../../tests/helpers/cluster.ts";
import { caHashOf } from "../../tls/join_token.ts";
import { createBearerAuthenticator } from "./bearer_authenticator.ts";
import { ensureServiceAccountKey } from "./signing_key.ts";
import { runTokenCommand } from "./token_cli.ts";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function runner(kubeconfigPath: string, now?: () => number) {
  return async (...args: string[]): Promise<Run> => {
    let stdout = "";
    let stderr = "";
    const code = await runTokenCommand(args, {
      kubeconfigPath,
      stdout: (t) => stdout += t,
      stderr: (t) => stderr += t,
      now,
    });
    return { code, stdout, stderr };
  };
}

Deno.test("token cli: create, list and delete bootstrap tokens through the API", async (t) => {
  await using cluster = await startTestCluster();
  const token = runner(cluster.kubeconfig);
  const caPem = await Deno.readTextFile(`${cluster.dataDir}/server/tls/server-ca.crt`);
  const key = await ensureServiceAccountKey(cluster.dataDir);
  const authenticate = createBearerAuthenticator({ stores: cluster.server.stores, key });
  const bearer = (value: string) =>
    authenticate(new Request("https://x/api", { headers: { authorization: `Bearer ${value}` } }));
  let created = "";

  await t.step("create prints a K10 join token pinning the server CA", async () => {
    const run = await token("create", "--description", "for node-2");
    assertEquals(run.stderr, "");
    assertEquals(run.code, 0);
    assertMatch(run.stdout, /^K10[0-9a-f]{64}::[a-z0-9]{6}\.[a-z0-9]{16}\n$/);
    assertEquals(run.stdout.slice(3, 67), caHashOf(caPem));
    created = run.stdout.trim().split("::")[1];
  });

  await t.step("the created token authenticates as a K3s node bootstrapper", async () => {
    const result = await bearer(created);
    assert(result && "user" in result, JSON.stringify(result));
    assertEquals(result.user.name, `system:bootstrap:${created.slice(0, 6)}`);
    assertEquals(result.user.groups, [
      "system:bootstrappers",
      "system:bootstrappers:k3s:default-node-token",
      "system:authenticated",
    ]);
  });

  await t.step(
    "create with a given token, ttl, usages and groups; duplicates refused",
    async () => {
      const run = await token(
        "create",
        "abc123.0123456789abcdef",
        "--ttl=2h",
        "--usages",
        "signing",
        "--groups",
        "system:bootstrappers:ci,system:bootstrappers:lab",
      );
      assertEquals(run.code, 0, run.stderr);
      assert(run.stdout.trim().endsWith("::abc123.0123456789abcdef"));
      const again = await token("create", "abc123.0123456789abcdef");
      assertEquals(again.code, 1);
      assertEquals(again.stderr, 'k3ts token: a token with id "abc123" already exists\n');
      // Signing-only tokens do not authenticate.
      const result = await bearer("abc123.0123456789abcdef");
      assert(result && "error" in result);
    },
  );

  await t.step("list prints K3s's table", async () => {
    const run = await token("list");
    assertEquals(run.code, 0, run.stderr);
    const lines = run.stdout.trimEnd().split("\n");
    assertMatch(lines[0], /^TOKEN\s+TTL\s+EXPIRES\s+USAGES\s+DESCRIPTION\s+EXTRA GROUPS$/);
    assertEquals(lines.length, 3);
    const mine = lines.find((l) => l.startsWith(created.slice(0, 6)))!;
    assertMatch(
      mine,
      /^[a-z0-9]{6}\s+23h\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+authentication,signing\s+for node-2\s+system:bootstrappers:k3s:default-node-token$/,
    );
    const other = lines.find((l) => l.startsWith("abc123"))!;
    assertMatch(
      other,
      /^abc123\s+1h\s+\S+\s+signing\s+<none>\s+system:bootstrappers:ci,system:bootstrappers:lab$/,
    );
  });

  await t.step("list -o json carries the full tokens", async () => {
    const run = await token("list", "-o", "json");
    const listed = JSON.parse(run.stdout) as { token: string; usages: string[] }[];
    assertEquals(listed.map((t) => t.token).sort(), ["abc123.0123456789abcdef", created].sort());
  });

  await t.step("an ordinary Secret is not listed", async () => {
    await cluster.kubectlOk(["create", "secret", "generic", "plain", "-n", "kube-system"]);
    const run = await token("list");
    assertEquals(run.stdout.trimEnd().split("\n").length, 3);
  });

  await t.step("delete by id and by full join token; the token stops working", async () => {
    const byId = await token("delete", "abc123");
    assertEquals(byId, { code: 0, stdout: 'bootstrap token "abc123" deleted\n', stderr: "" });
    const byToken = await token("delete", `K10${caHashOf(caPem)}::${created}`);
    assertEquals(byToken.code, 0, byToken.stderr);
    assertEquals(await bearer(created), {
      error: `no bootstrap token secret kube-system/bootstrap-token-${
        created.slice(0, 6)
      } to match bootstrap bearer token`,
    });
    const list = await token("list");
    assertEquals(list.stdout.trimEnd().split("\n").length, 1);
  });

  await t.step("errors are clear and exit non-zero", async () => {
    const missing = await token("delete", "zzzzzz");
    assertEquals(missing.code, 1);
    assertEquals(
      missing.stderr,
      'k3ts token: failed to delete bootstrap token "zzzzzz": secrets "bootstrap-token-zzzzzz" not found\n',
    );
    const badTtl = await token("create", "--ttl", "1d");
    assertEquals(
      badTtl.stderr,
      'k3ts token: invalid --ttl: time: unknown unit "d" in duration "1d"\n',
    );
    const badToken = await token("create", "NOPE");
    assertEquals(
      badToken.stderr,
      String
        .raw`k3ts token: the bootstrap token "NOPE" was not of the form "\A([a-z0-9]{6})\.([a-z0-9]{16})\z"` +
        "\n",
    );
    const badGroup = await token("create", "--groups", "system:masters");
    assertEquals(badGroup.code, 1);
    assertMatch(badGroup.stderr, /bootstrap group "system:masters" is invalid/);
    const badFlag = await token("list", "--ttl", "1h");
    assertEquals(badFlag.stderr, "k3ts token: unknown flag: --ttl\n");
    const noArgs = await token("delete");
    assertEquals(noArgs.stderr, "k3ts token: missing argument; 'token delete' is missing token\n");
  });

  await t.step("an unusable kubeconfig is named in the error", async () => {
    const run = await runner(`${cluster.dataDir}/nope.yaml`)("list");
    assertEquals(run.code, 1);
    assertEquals(
      run.stderr,
      `k3ts token: kubeconfig ${cluster.dataDir}/nope.yaml: file does not exist\n`,
    );
  });
});

Deno.test("token cli: generate and help need no cluster", async () => {
  const token = runner("/nonexistent");
  const generated = await token("generate");
  assertEquals(generated.code, 0);
  assertMatch(generated.stdout, /^[a-z0-9]{6}\.[a-z0-9]{16}\n$/);
  const help = await token("--help");
  assertEquals(help.code, 0);
  assertMatch(help.stdout, /k3ts token create/);
  const unknown = await token("rotate");
  assertEquals(unknown.code, 1);
  assertMatch(unknown.stderr, /unknown command "token rotate"/);
});
