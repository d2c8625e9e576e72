import { ApiError } from "../../kube/errors.ts";
import { assert, assertEquals, assertStringIncludes } from "../../tests/helpers/assert.ts";
import { ensureJoinTokens } from "../tls/mod.ts";
import { basicAuth } from "./_test_helpers.ts";
import {
  AGENT_GROUPS,
  authenticateAgent,
  authenticateJoinToken,
  nodeNameOf,
  NODES_GROUP,
  readJoinSecrets,
} from "./join_auth.ts";

const secrets = { server: "server-secret", agent: "agent-secret" };
const kubelet = { name: "system:node:n1", groups: ["system:nodes", "system:authenticated"] };
const admin = { name: "system:admin", groups: ["system:masters", "system:authenticated"] };

function request(headers: Record<string, string> = {}): Request {
  return new Request("https://x/v1-k3s/config", { headers });
}

function refusal(run: () => unknown): ApiError {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("expected an ApiError");
}

Deno.test("join auth: node:<agent secret> and server:<server secret> are accepted", () => {
  const node = authenticateJoinToken(basicAuth("node", "agent-secret"), secrets);
  assertEquals(node, { name: "node", groups: ["k3s:agent", "system:authenticated"] });
  const server = authenticateJoinToken(basicAuth("server", "server-secret"), secrets);
  assert(server !== "invalid" && server !== undefined);
  assert(server.groups.includes("k3s:server"));
  assert(server.groups.includes("k3s:agent"), "the server token also joins agents");
});

Deno.test("join auth: wrong secret, wrong user, garbage → invalid; no header → none", () => {
  for (
    const header of [
      basicAuth("node", "server-secret"),
      basicAuth("server", "agent-secret"),
      basicAuth("admin", "server-secret"),
      basicAuth("node", ""),
      "Basic !!!",
      `Basic ${btoa("no-colon")}`,
    ]
  ) {
    assertEquals(authenticateJoinToken(header, secrets), "invalid", header);
  }
  assertEquals(authenticateJoinToken(null, secrets), undefined);
  assertEquals(authenticateJoinToken("Bearer abc", secrets), undefined);
  // The scheme is case-insensitive, and a password may contain colons.
  const colons = { server: "a:b:c", agent: "a:b:c" };
  assert(authenticateJoinToken(`basic ${btoa("node:a:b:c")}`, colons) !== "invalid");
});

Deno.test("join auth: 401 for missing or invalid credentials, with a clear message", () => {
  const missing = refusal(() => authenticateAgent(request(), undefined, secrets));
  assertEquals(missing.code, 401);
  assertStringIncludes(missing.message, "join token");
  const invalid = refusal(() =>
    authenticateAgent(request({ authorization: basicAuth("node", "nope") }), undefined, secrets)
  );
  assertEquals(invalid.code, 401);
  assertStringIncludes(invalid.message, "invalid token");
});

Deno.test("join auth: node certificates pass; other certificate users need a token", () => {
  assertEquals(authenticateAgent(request(), kubelet, secrets), kubelet);
  const forbidden = refusal(() => authenticateAgent(request(), admin, secrets));
  assertEquals(forbidden.code, 403);
  assertStringIncludes(forbidden.message, 'User "system:admin" cannot get path "/v1-k3s/config"');
  const withToken = authenticateAgent(
    request({ authorization: basicAuth("node", "agent-secret") }),
    admin,
    secrets,
  );
  assertEquals(withToken.name, "node");
});

Deno.test("join auth: a token user is not a node (tunnel needs system:nodes)", () => {
  const tunnel = refusal(() =>
    authenticateAgent(
      request({ authorization: basicAuth("node", "agent-secret") }),
      undefined,
      secrets,
      [NODES_GROUP],
    )
  );
  assertEquals(tunnel.code, 403);
  assertEquals(authenticateAgent(request(), kubelet, secrets, [NODES_GROUP]), kubelet);
  assert(AGENT_GROUPS.includes(NODES_GROUP));
});

Deno.test("join auth: node identities come from system:node:<name> in system:nodes", () => {
  assertEquals(nodeNameOf(kubelet), "n1");
  assertEquals(nodeNameOf({ name: "system:node:n1", groups: [] }), undefined);
  assertEquals(nodeNameOf({ name: "system:node:", groups: ["system:nodes"] }), undefined);
  assertEquals(nodeNameOf(admin), undefined);
});

Deno.test("join auth: secrets are read from the server's token files", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "k3ts-supervisor-" });
  try {
    const tokens = await ensureJoinTokens({
      dataDir,
      caPem: "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n",
      secret: "cluster-secret",
    });
    assertEquals(await readJoinSecrets(dataDir), {
      server: tokens.secret,
      agent: tokens.secret,
    });
    await Deno.writeTextFile(`${dataDir}/server/agent-token`, "K10::node:agent-only\n");
    assertEquals(await readJoinSecrets(dataDir), {
      server: "cluster-secret",
      agent: "agent-only",
    });
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
