/**
 * A script acting as an agent (fetch only, no agent code): joins with the join token, pinning the
 * CA by the token's hash, gets kubelet certificates by CSR with a node password, then as
 * `system:node:<name>` writes its own Node and Lease but not another node's. A second machine
 * with the same name and another password is refused until the Node is deleted. Wrong join
 * tokens and expired bootstrap tokens get 401 and create nothing.
 */
import { ApiError } from "../kube/errors.ts";
import { KubeClient } from "../kube/client/mod.ts";
import type { KubeObject } from "../kube/types.ts";
import { assert, assertEquals, assertStringIncludes } from "./helpers/assert.ts";
import { joinAsAgent, type JoinedAgent } from "./helpers/agent_join.ts";
import { startTestCluster } from "./helpers/cluster.ts";
import { formatJoinToken, parseJoinToken } from "../server/tls/mod.ts";

function nodeObject(name: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { "kubernetes.io/hostname": name } },
    status: { conditions: [{ type: "Ready", status: "True", reason: "KubeletReady" }] },
  };
}

function leaseObject(name: string): KubeObject {
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { name, namespace: "kube-node-lease" },
    spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: new Date().toISOString() },
  };
}

async function refusal(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  assert(error instanceof ApiError, `expected an ApiError, got ${error}`);
  return error;
}

function asNode(server: string, agent: JoinedAgent): KubeClient {
  return new KubeClient({
    server,
    caPem: agent.caPem,
    certPem: agent.clientCertPem,
    keyPem: agent.clientKeyPem,
  });
}

Deno.test("node identity: join, own Node and Lease only, node password, 401s", async (t) => {
  await using cluster = await startTestCluster();
  const server = cluster.server.url;
  const token = cluster.server.token;
  const secrets = () =>
    cluster.server.stores.forKind("", "Secret").list("kube-system", {}).then((list) =>
      list.items.map((s) => s.metadata.name).filter((n) => n!.endsWith(".node-password.k3s"))
    );

  const agent = await joinAsAgent(server, token, {
    name: "edge-1",
    password: "first-machine-password",
    ips: ["192.168.50.11"],
  });
  using node = asNode(server, agent);

  await t.step("the node creates and updates its own Node and Lease", async () => {
    await node.create("/api/v1/nodes", nodeObject("edge-1"));
    const patched = await node.patch("/api/v1/nodes/edge-1/status", "merge", {
      status: { nodeInfo: { kubeletVersion: "v1.32.4+k3ts" } },
    });
    assertEquals(patched.status?.nodeInfo?.kubeletVersion, "v1.32.4+k3ts");
    await node.create(
      "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
      leaseObject("edge-1"),
    );
    const renewed = await node.patch(
      "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/edge-1",
      "merge",
      { spec: { renewTime: new Date().toISOString() } },
    );
    assertEquals(renewed.spec?.holderIdentity, "edge-1");
  });

  await t.step("but not another node's: 403", async () => {
    const otherNode = await refusal(node.create("/api/v1/nodes", nodeObject("edge-2")));
    assertEquals(otherNode.code, 403);
    assertStringIncludes(otherNode.message, 'node "edge-1" is not allowed to modify node "edge-2"');
    await cluster.kubectlOk(["create", "-f", "-"], { stdin: JSON.stringify(nodeObject("edge-3")) });
    const update = await refusal(
      node.patch("/api/v1/nodes/edge-3", "merge", { metadata: { labels: { x: "y" } } }),
    );
    assertEquals(update.code, 403);
    const lease = await refusal(
      node.create(
        "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
        leaseObject("edge-2"),
      ),
    );
    assertEquals(lease.code, 403);
    const secret = await refusal(
      node.get("/api/v1/namespaces/kube-system/secrets/edge-1.node-password.k3s"),
    );
    assertEquals(secret.code, 403);
  });

  await t.step("another machine with the same name and another password: 403", async () => {
    const error = await joinAsAgent(server, token, {
      name: "edge-1",
      password: "second-machine-password",
      ips: [],
    }).then(() => undefined, (e: Error) => e);
    assertStringIncludes(String(error), "403");
    assertStringIncludes(String(error), "Node password rejected");
  });

  await t.step("after the Node is deleted the name can join again", async () => {
    await cluster.kubectlOk(["delete", "node", "edge-1"]);
    const again = await joinAsAgent(server, token, {
      name: "edge-1",
      password: "second-machine-password",
      ips: [],
    });
    using second = asNode(server, again);
    await second.create("/api/v1/nodes", nodeObject("edge-1"));
  });

  await t.step("a wrong join token is 401 and creates nothing", async () => {
    const before = await secrets();
    const parsed = parseJoinToken(token);
    const wrong = formatJoinToken({ ...parsed, password: "not-the-secret" });
    const error = await joinAsAgent(server, wrong, {
      name: "edge-9",
      password: "pw",
      ips: [],
    }).then(() => undefined, (e: Error) => e);
    assertStringIncludes(String(error), "401");
    assertEquals(await secrets(), before);
  });

  await t.step("an expired bootstrap token is 401", async () => {
    await cluster.kubectlOk(["create", "-f", "-"], {
      stdin: JSON.stringify({
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "bootstrap-token-abcdef", namespace: "kube-system" },
        type: "bootstrap.kubernetes.io/token",
        stringData: {
          "token-id": "abcdef",
          "token-secret": "0123456789abcdef",
          expiration: "2020-01-01T00:00:00Z",
          "usage-bootstrap-authentication": "true",
        },
      }),
    });
    using expired = new KubeClient({
      server,
      caPem: agent.caPem,
      token: "abcdef.0123456789abcdef",
    });
    const error = await refusal(expired.get("/api/v1/namespaces"));
    assertEquals(error.code, 401);
  });
});
