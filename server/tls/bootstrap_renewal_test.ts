import assert from "node:assert/strict";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { connect } from "node:tls";
import { ensureClusterTls } from "./bootstrap.ts";
import { parseCertificate, subjectAltNames } from "./der.ts";
import { verifyClientCertificate } from "./verify.ts";
import { certDer, days, forgeLeaf, hasCommand, tempDataDir } from "./_test_helpers.ts";
import { readKubeconfig } from "../../tests/helpers/api_client.ts";
import { startTestCluster } from "../../tests/helpers/cluster.ts";

const sans = { dns: ["k3ts.example"], ips: ["192.0.2.10"] };
const hostname = "node-a";

function notAfterOf(pem: string): number {
  return parseCertificate(certDer(pem)).notAfter.getTime();
}

Deno.test("renewal at start: leaves forged to expire in 100 days are renewed with the same CA and key", async () => {
  await using dir = await tempDataDir();
  const first = await ensureClusterTls({ dataDir: dir.path, sans, hostname });
  const forgedAdmin = await forgeLeaf(first, "admin", 100);
  const forgedServing = await forgeLeaf(first, "serving", 100);
  for (const forged of [forgedAdmin, forgedServing]) {
    assert(notAfterOf(forged) - Date.now() < days(101), "forged to 100 days");
  }

  const now = new Date();
  const renewed = await ensureClusterTls({ dataDir: dir.path, sans, hostname, now });
  assert.deepEqual(renewed.changes.map((c) => `${c.name}:${c.reason}`).sort(), [
    "client-admin:expiring",
    "serving-kube-apiserver:expiring",
  ]);
  // CAs untouched, keys kept.
  assert.deepEqual([renewed.serverCa, renewed.clientCa], [first.serverCa, first.clientCa]);
  assert.equal(renewed.admin.keyPem, first.admin.keyPem);
  assert.equal(renewed.serving.keyPem, first.serving.keyPem);
  assert.equal(await Deno.readTextFile(renewed.paths.adminCert), renewed.admin.certPem);

  const clientCa = new X509Certificate(first.clientCa.certPem);
  const serverCa = new X509Certificate(first.serverCa.certPem);
  const admin = new X509Certificate(renewed.admin.certPem);
  const serving = new X509Certificate(renewed.serving.certPem);
  assert(admin.checkIssued(clientCa) && admin.verify(clientCa.publicKey));
  assert(serving.checkIssued(serverCa) && serving.verify(serverCa.publicKey));
  assert(admin.checkPrivateKey(createPrivateKey(renewed.admin.keyPem)));
  assert(serving.checkPrivateKey(createPrivateKey(renewed.serving.keyPem)));
  assert.equal(admin.subject, "CN=system:admin\nO=system:masters");
  assert.deepEqual(
    subjectAltNames(parseCertificate(certDer(renewed.serving.certPem))),
    subjectAltNames(parseCertificate(certDer(first.serving.certPem))),
  );
  for (const pem of [renewed.admin.certPem, renewed.serving.certPem]) {
    assert(notAfterOf(pem) - now.getTime() > days(364), "a full year from now");
  }
  // The renewed admin certificate is what the API server accepts as system:admin.
  assert.deepEqual(
    verifyClientCertificate(certDer(renewed.admin.certPem), first.clientCa.certPem),
    {
      user: "system:admin",
      groups: ["system:masters"],
    },
  );
});

Deno.test("renewal at start: leaves with 200 days left are left alone", async () => {
  await using dir = await tempDataDir();
  const first = await ensureClusterTls({ dataDir: dir.path, sans, hostname });
  const forgedAdmin = await forgeLeaf(first, "admin", 200);
  const forgedServing = await forgeLeaf(first, "serving", 200);
  const before = await Deno.stat(first.paths.adminCert);
  const again = await ensureClusterTls({ dataDir: dir.path, sans, hostname });
  assert.deepEqual(again.changes, []);
  assert.equal(again.admin.certPem, forgedAdmin);
  assert.equal(again.serving.certPem, forgedServing);
  assert.deepEqual((await Deno.stat(first.paths.adminCert)).mtime, before.mtime);
});

Deno.test("renewal at start: an expired leaf is renewed too", async () => {
  await using dir = await tempDataDir();
  const first = await ensureClusterTls({ dataDir: dir.path, sans, hostname });
  await forgeLeaf(first, "admin", 365, new Date(Date.now() - days(400)));
  const again = await ensureClusterTls({ dataDir: dir.path, sans, hostname });
  assert.deepEqual(again.changes, [{ name: "client-admin", reason: "expiring" }]);
  assert(notAfterOf(again.admin.certPem) > Date.now() + days(364));
});

Deno.test({
  name:
    "renewal at start: a restarted server serves the renewed certificates and kubectl keeps working",
  ignore: !(await hasCommand("kubectl")),
  fn: async () => {
    await using dir = await tempDataDir();
    const forged = { admin: "", serving: "" };
    {
      await using cluster = await startTestCluster([], dir.path);
      await cluster.kubectlOk(["get", "ns", "kube-system"]);
      await cluster.stop();
      // Reads what the server wrote (its SANs already include these defaults): no change.
      const tls = await ensureClusterTls({ dataDir: dir.path, sans: { dns: [], ips: [] } });
      assert.deepEqual(tls.changes, []);
      forged.admin = await forgeLeaf(tls, "admin", 100);
      forged.serving = await forgeLeaf(tls, "serving", 100);
    }
    await using cluster = await startTestCluster([], dir.path);
    // The kubeconfig the restart wrote carries the renewed admin certificate, and it works.
    const credentials = await readKubeconfig(cluster.kubeconfig);
    assert.notEqual(credentials.certPem, forged.admin);
    assert(notAfterOf(credentials.certPem) > Date.now() + days(364));
    assert.match(await cluster.kubectlOk(["get", "ns", "kube-system"]), /kube-system\s+Active/);
    // The API server presents the renewed serving certificate.
    const served = await new Promise<Uint8Array>((resolve, reject) => {
      const socket = connect({
        host: "127.0.0.1",
        port: cluster.server.port,
        ca: credentials.caPem,
        servername: "localhost",
      }, () => {
        resolve(new Uint8Array(socket.getPeerCertificate().raw));
        socket.end();
      });
      socket.on("error", reject);
    });
    assert(parseCertificate(served).notAfter.getTime() > Date.now() + days(364));
  },
});
