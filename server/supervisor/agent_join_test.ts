/**
 * An agent's join, done with fetch the way `k3ts agent` will: fetch `/cacerts` without
 * verification, check it against the token's K10 hash, then — with that CA pinned — get the
 * kubelet serving and client certificates for CSRs, proving the node password, and finally use
 * the client certificate as the node's identity.
 *
 * @module
 */
import { assert, assertEquals, assertStringIncludes } from "../../tests/helpers/assert.ts";
import { joinAsAgent } from "../../tests/helpers/agent_join.ts";
import { freePort, startTestCluster } from "../../tests/helpers/cluster.ts";
import { startHttpsServer } from "../apiserver/https_server.ts";
import { clusterTlsPaths, formatJoinToken, parseJoinToken } from "../tls/mod.ts";
import { CHEAP_HASH, pemBlocks, startSupervisorFixture, summarize } from "./_test_helpers.ts";
import { agentConfigFor } from "./agent_config.ts";
import { createSupervisorHandler } from "./routes.ts";

/** The checks every join must pass, given where the server listens. */
async function checkAgentJoin(serverUrl: string, token: string): Promise<void> {
  const agent = await joinAsAgent(serverUrl, token, {
    name: "agent-1",
    password: "random-node-password",
    ips: ["192.168.1.35"],
  });
  const serving = summarize(agent.servingCertPem);
  assertEquals(serving.commonName, "agent-1");
  assertEquals(serving.dns, ["agent-1", "localhost"]);
  assertEquals(serving.ips, ["127.0.0.1", "192.168.1.35"]);
  const kubelet = summarize(agent.clientCertPem);
  assertEquals(kubelet.commonName, "system:node:agent-1");
  assertEquals(kubelet.organizations, ["system:nodes"]);
  assertEquals(pemBlocks(agent.clientCertPem).length, 2);

  // The kubelet client certificate is now the node's identity on the same port.
  const asNode = Deno.createHttpClient({
    caCerts: [agent.caPem],
    cert: agent.clientCertPem,
    key: agent.clientKeyPem,
  });
  try {
    const config = await fetch(`${serverUrl}/v1-k3s/config`, { client: asNode });
    assertEquals(config.status, 200);
    assertEquals((await config.json()).ClusterDNS, "10.43.0.10");
    const connect = await fetch(`${serverUrl}/v1-k3s/connect`, { client: asNode });
    assertEquals(connect.status, 501, "a node reaches the tunnel endpoint");
    await connect.body?.cancel();
  } finally {
    asNode.close();
  }

  // The same agent coming back (a restart) proves the same password and gets new certificates.
  const again = await joinAsAgent(serverUrl, token, {
    name: "agent-1",
    password: "random-node-password",
    ips: [],
  });
  assert(again.clientCertPem !== agent.clientCertPem, "a fresh certificate per request");

  // A token for another cluster (wrong CA hash) is refused before any credential is sent.
  const parsed = parseJoinToken(token);
  const wrongCa = formatJoinToken({ ...parsed, caHash: "0".repeat(64) });
  const refused = await joinAsAgent(serverUrl, wrongCa, {
    name: "agent-2",
    password: "pw",
    ips: [],
  }).then(() => undefined, (error: Error) => error);
  assertStringIncludes(String(refused), "token CA hash does not match");
  // A wrong secret is a 401.
  const wrongSecret = formatJoinToken({ ...parsed, username: "node", password: "not-the-secret" });
  const unauthorized = await joinAsAgent(serverUrl, wrongSecret, {
    name: "agent-2",
    password: "pw",
    ips: [],
  }).then(() => undefined, (error: Error) => error);
  assertStringIncludes(String(unauthorized), "401");
}

Deno.test({
  name: "agent join: against a k3ts server from startTestCluster",
  async fn() {
    await using cluster = await startTestCluster();
    await checkAgentJoin(`https://127.0.0.1:${cluster.server.port}`, cluster.server.token);
  },
});

Deno.test("agent join: over a TLS listener serving the supervisor with a real server's TLS", async () => {
  await using fixture = await startSupervisorFixture();
  const paths = clusterTlsPaths(fixture.cluster.dataDir);
  const supervisor = createSupervisorHandler({
    stores: fixture.cluster.server.stores,
    tls: fixture.tls,
    joinSecrets: fixture.secrets,
    agentConfig: agentConfigFor(
      {
        clusterCidr: "10.42.0.0/16",
        serviceCidr: "10.43.0.0/16",
        clusterDomain: "cluster.local",
        nodeName: "server-1",
      },
      "127.0.0.1",
      fixture.cluster.server.port,
    ),
    isReady: () => true,
    nodePassword: { hash: CHEAP_HASH },
  });
  const listener = await startHttpsServer({
    host: "127.0.0.1",
    port: freePort(),
    certPem: await Deno.readTextFile(paths.servingCert) + fixture.tls.serverCa.certPem,
    keyPem: await Deno.readTextFile(paths.servingKey),
    clientCaPem: fixture.tls.clientCa.certPem,
    handler: async (request, user) =>
      await supervisor(request, user) ?? new Response("not the supervisor", { status: 404 }),
  });
  try {
    await checkAgentJoin(`https://127.0.0.1:${listener.port}`, fixture.token);
  } finally {
    await listener.close();
  }
});
