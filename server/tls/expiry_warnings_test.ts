import assert from "node:assert/strict";
import { ensureClusterTls } from "./bootstrap.ts";
import { CERTIFICATE_EXPIRATION_WARNING, expiryWarnings } from "./expiry_warnings.ts";
import { type CertificateRecord, listClusterCertificates } from "./inventory.ts";
import { days, forgeLeaf, hasCommand, tempDataDir } from "./_test_helpers.ts";
import { startTestCluster } from "../../tests/helpers/cluster.ts";

const NOW = new Date("2026-06-01T12:00:00.250Z");

function record(file: string, daysLeft: number, usages: CertificateRecord["usages"]) {
  const notAfter = new Date(NOW.getTime() + days(daysLeft));
  return {
    path: `/var/lib/k3ts/server/tls/${file}`,
    file,
    subject: file.startsWith("client-admin") ? "system:admin" : `subject-of-${file}`,
    organizations: [],
    usages,
    notBefore: new Date(notAfter.getTime() - days(365)),
    notAfter,
    daysRemaining: daysLeft,
    status: "OK" as const, // recomputed by expiryWarnings from the dates and `now`
  } satisfies CertificateRecord;
}

const inventory = {
  certificates: [
    record("client-admin.crt", 12, ["client"]),
    record("server-ca.crt", 29.5, ["CA"]),
    record("serving-kube-apiserver.crt", -3, ["server"]),
    record("client-ca.crt", 31, ["CA"]),
    record("other.crt", 200, ["server", "client"]),
  ],
};

Deno.test("expiry warnings: only certificates within 30 days or expired, with K3s-style messages", () => {
  const warnings = expiryWarnings(inventory, NOW);
  assert.deepEqual(warnings.map((w) => w.certificate.file), [
    "client-admin.crt",
    "server-ca.crt",
    "serving-kube-apiserver.crt",
  ]);
  const [admin, ca, serving] = warnings;
  assert.equal(
    admin.message,
    "/var/lib/k3ts/server/tls/client-admin.crt: certificate system:admin (ClientAuth) will " +
      "expire within 30 days at 2026-06-13T12:00:00Z; restart k3ts on this node, or run " +
      "'k3ts certificate rotate', to renew it",
  );
  assert.match(ca.message, /CertSign\) will expire within 30 days at .*; k3ts does not renew CA/);
  assert.match(serving.message, /\(ServerAuth\) expired at 2026-05-29T12:00:00Z; restart k3ts/);
  assert.deepEqual(admin.logFields, {
    path: "/var/lib/k3ts/server/tls/client-admin.crt",
    subject: "system:admin",
    notAfter: "2026-06-13T12:00:00Z",
    daysRemaining: 12,
  });
  assert.equal(serving.logFields.daysRemaining, -3);
  assert.deepEqual(expiryWarnings(inventory, NOW, { withinDays: 5 }).length, 1, "only expired");
});

Deno.test("expiry warnings: without a Node the Event is about kube-system, in default", () => {
  const [warning] = expiryWarnings(inventory, NOW, { host: "server-1" });
  assert.deepEqual(warning.event, {
    apiVersion: "v1",
    kind: "Event",
    metadata: {
      name: `kube-system.client-admin.${(BigInt(NOW.getTime()) * 1_000_000n).toString(16)}`,
      namespace: "default",
    },
    involvedObject: { apiVersion: "v1", kind: "Namespace", name: "kube-system" },
    reason: CERTIFICATE_EXPIRATION_WARNING,
    message: warning.message,
    type: "Warning",
    source: { component: "k3ts-certificate-monitor", host: "server-1" },
    reportingComponent: "k3ts-certificate-monitor",
    reportingInstance: "server-1",
    firstTimestamp: "2026-06-01T12:00:00Z",
    lastTimestamp: "2026-06-01T12:00:00Z",
    count: 1,
  });
});

Deno.test("expiry warnings: with a Node the Event is about it, uid defaulting to its name", () => {
  const warnings = expiryWarnings(inventory, NOW, { node: { name: "Node_A" } });
  assert.deepEqual(warnings[0].event.involvedObject, {
    apiVersion: "v1",
    kind: "Node",
    name: "Node_A",
    uid: "Node_A",
  });
  assert.equal(warnings[0].event.source.host, "Node_A");
  const names = warnings.map((w) => w.event.metadata.name);
  assert.equal(new Set(names).size, names.length, "one name per certificate");
  for (const name of names) assert.match(name, /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/);
  const withUid = expiryWarnings(inventory, NOW, { node: { name: "a", uid: "1234-5678" } });
  assert.equal(withUid[0].event.involvedObject.uid, "1234-5678");
});

Deno.test("expiry warnings: a chain's certificates get distinct Event names", () => {
  const chain = {
    certificates: [record("bundle.crt", 3, ["server"]), record("bundle.crt", 4, ["CA"])],
  };
  const [first, second] = expiryWarnings(chain, NOW).map((w) => w.event.metadata.name);
  assert.notEqual(first, second);
  assert.match(second, /^kube-system\.bundle-2\./);
});

Deno.test("expiry warnings: a healthy data dir warns about nothing", async () => {
  await using dir = await tempDataDir();
  await ensureClusterTls({ dataDir: dir.path, sans: { dns: [], ips: [] }, hostname: "h" });
  assert.deepEqual(expiryWarnings(await listClusterCertificates(dir.path), new Date()), []);
});

Deno.test({
  name: "expiry warnings: the Events are accepted by the API and kubectl shows them",
  ignore: !(await hasCommand("kubectl")),
  fn: async () => {
    await using cluster = await startTestCluster();
    const tls = await ensureClusterTls({ dataDir: cluster.dataDir, sans: { dns: [], ips: [] } });
    await forgeLeaf(tls, "admin", 10);
    const now = new Date();
    const certificates = await listClusterCertificates(cluster.dataDir, { now });
    const warnings = [
      ...expiryWarnings(certificates, now),
      ...expiryWarnings(certificates, now, { node: { name: "node-a" } }),
    ];
    assert.equal(warnings.length, 2);
    const events = cluster.server.stores.forKind("", "Event");
    for (const warning of warnings) {
      await events.create("default", warning.event, { fieldManager: "k3ts" });
    }
    const listed = await cluster.kubectlOk([
      "get",
      "events",
      "-A",
      "--field-selector",
      `reason=${CERTIFICATE_EXPIRATION_WARNING}`,
    ]);
    assert.match(
      listed,
      /default\s+\S+\s+Warning\s+CertificateExpirationWarning\s+namespace\/kube-system\s+/,
    );
    assert.match(
      listed,
      /Warning\s+CertificateExpirationWarning\s+node\/node-a\s+.*client-admin\.crt/,
    );
    const forNode = await cluster.kubectlOk([
      "get",
      "events",
      "-n",
      "default",
      "--field-selector",
      "involvedObject.kind=Node,involvedObject.name=node-a,involvedObject.uid=node-a",
      "-o",
      "jsonpath={.items[*].reason}",
    ]);
    assert.equal(forNode, CERTIFICATE_EXPIRATION_WARNING);
  },
});
