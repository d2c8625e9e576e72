import assert from "node:assert/strict";
import { join } from "node:path";
import { X509Certificate } from "node:crypto";
import { ensureClusterTls } from "./bootstrap.ts";
import { parseCertificate, subjectAltNames } from "./der.ts";
import { certDer, days, hasCommand, modeOf, tempDataDir } from "./_test_helpers.ts";

const sans = { dns: ["k3ts.example"], ips: ["192.0.2.10", "10.43.0.1"] };
const hostname = "node-a";

Deno.test("bootstrap: first start creates CAs, serving and admin certificates", async () => {
  await using dir = await tempDataDir();
  const tls = await ensureClusterTls({ dataDir: dir.path, sans, hostname });
  assert.deepEqual(tls.changes.map((c) => c.reason), ["created", "created", "created", "created"]);
  assert.deepEqual(tls.paths.dir, join(dir.path, "server", "tls"));
  for (const path of Object.values(tls.paths).filter((p) => p !== tls.paths.dir)) {
    assert((await Deno.stat(path)).isFile, path);
  }

  const serverCa = new X509Certificate(tls.serverCa.certPem);
  const clientCa = new X509Certificate(tls.clientCa.certPem);
  assert(serverCa.ca && clientCa.ca);
  assert(/^CN=k3ts-server-ca@\d+$/.test(serverCa.subject), serverCa.subject);
  assert(/^CN=k3ts-client-ca@\d+$/.test(clientCa.subject), clientCa.subject);
  const caYears =
    (parseCertificate(certDer(tls.serverCa.certPem)).notAfter.getTime() - Date.now()) /
    days(365);
  assert(caYears > 9.9 && caYears <= 10, `CA valid ${caYears} years`);

  const serving = new X509Certificate(tls.serving.certPem);
  assert(serving.checkIssued(serverCa) && serving.verify(serverCa.publicKey));
  const names = subjectAltNames(parseCertificate(certDer(tls.serving.certPem)));
  assert.deepEqual(names.dns, [
    "kubernetes",
    "kubernetes.default",
    "kubernetes.default.svc",
    "kubernetes.default.svc.cluster.local",
    "localhost",
    "node-a",
    "k3ts.example",
  ]);
  assert.deepEqual(names.ips, ["127.0.0.1", "::1", "192.0.2.10", "10.43.0.1"]);

  const admin = new X509Certificate(tls.admin.certPem);
  assert(admin.checkIssued(clientCa) && admin.verify(clientCa.publicKey));
  assert.deepEqual(admin.subject, "CN=system:admin\nO=system:masters");
  const leafDays = (parseCertificate(certDer(tls.admin.certPem)).notAfter.getTime() - Date.now()) /
    days(1);
  assert(leafDays > 364 && leafDays <= 365, `leaf valid ${leafDays} days`);
});

Deno.test("bootstrap: keys are 0600 and certificates 0644", async () => {
  await using dir = await tempDataDir();
  const { paths } = await ensureClusterTls({ dataDir: dir.path, sans, hostname });
  for (const key of [paths.serverCaKey, paths.clientCaKey, paths.servingKey, paths.adminKey]) {
    assert.deepEqual(await modeOf(key), 0o600, key);
  }
  for (const cert of [paths.serverCaCert, paths.clientCaCert, paths.servingCert, paths.adminCert]) {
    assert.deepEqual(await modeOf(cert), 0o644, cert);
  }
  const leftovers = [...Deno.readDirSync(paths.dir)].filter((e) => e.name.endsWith(".tmp"));
  assert.deepEqual(leftovers, []);
});

Deno.test("bootstrap: a restart reuses every file byte for byte", async () => {
  await using dir = await tempDataDir();
  const first = await ensureClusterTls({ dataDir: dir.path, sans, hostname });
  const before = await Deno.stat(first.paths.servingCert);
  const second = await ensureClusterTls({ dataDir: dir.path, sans, hostname });
  assert.deepEqual(second.changes, []);
  assert.deepEqual(
    [second.serverCa, second.clientCa, second.serving, second.admin],
    [first.serverCa, first.clientCa, first.serving, first.admin],
  );
  assert.deepEqual((await Deno.stat(first.paths.servingCert)).mtime, before.mtime);
});

Deno.test("bootstrap: a missing SAN reissues the serving certificate with the union", async () => {
  await using dir = await tempDataDir();
  const first = await ensureClusterTls({ dataDir: dir.path, sans, hostname });
  const second = await ensureClusterTls({
    dataDir: dir.path,
    sans: { dns: ["other.example"], ips: ["2001:db8::0:1"] },
    hostname,
  });
  assert.deepEqual(second.changes, [{ name: "serving-kube-apiserver", reason: "missing-sans" }]);
  const names = subjectAltNames(parseCertificate(certDer(second.serving.certPem)));
  for (const name of ["k3ts.example", "other.example", "node-a", "kubernetes"]) {
    assert(names.dns.includes(name), name);
  }
  for (const ip of ["192.0.2.10", "10.43.0.1", "2001:db8::1", "::1"]) {
    assert(names.ips.includes(ip), ip);
  }
  assert.deepEqual(second.serving.keyPem, first.serving.keyPem, "renewal keeps the key");
  assert.deepEqual(second.admin, first.admin);
  assert.deepEqual(second.serverCa, first.serverCa);
  // An IP written differently is the same SAN: no reissue.
  const third = await ensureClusterTls({
    dataDir: dir.path,
    sans: { dns: ["OTHER.example"], ips: ["2001:0db8:0:0:0:0:0:1"] },
    hostname,
  });
  assert.deepEqual(third.changes, []);
});

Deno.test("bootstrap: leaves with under 120 days left are renewed, CAs are not", async () => {
  await using dir = await tempDataDir();
  const now = new Date();
  const first = await ensureClusterTls({ dataDir: dir.path, sans, hostname, now });
  const at244 = await ensureClusterTls({
    dataDir: dir.path,
    sans,
    hostname,
    now: new Date(now.getTime() + days(244)),
  });
  assert.deepEqual(at244.changes, [], "121 days left: kept");
  const later = new Date(now.getTime() + days(250));
  const renewed = await ensureClusterTls({ dataDir: dir.path, sans, hostname, now: later });
  assert.deepEqual(renewed.changes.map((c) => `${c.name}:${c.reason}`).sort(), [
    "client-admin:expiring",
    "serving-kube-apiserver:expiring",
  ]);
  assert.deepEqual(renewed.serverCa, first.serverCa);
  assert.deepEqual(renewed.clientCa, first.clientCa);
  assert.notDeepEqual(renewed.serving.certPem, first.serving.certPem);
  const notAfter = parseCertificate(certDer(renewed.admin.certPem)).notAfter.getTime();
  assert(notAfter - later.getTime() > days(364), "renewed for a full year from `now`");
});

Deno.test("bootstrap: a leaf signed by another CA is reissued", async () => {
  await using dir = await tempDataDir();
  await using other = await tempDataDir();
  const first = await ensureClusterTls({ dataDir: dir.path, sans, hostname });
  const foreign = await ensureClusterTls({ dataDir: other.path, sans, hostname });
  await Deno.writeTextFile(first.paths.adminCert, foreign.admin.certPem);
  const again = await ensureClusterTls({ dataDir: dir.path, sans, hostname });
  assert.deepEqual(again.changes, [{ name: "client-admin", reason: "wrong-issuer" }]);
  const admin = new X509Certificate(again.admin.certPem);
  assert(admin.checkIssued(new X509Certificate(first.clientCa.certPem)));
});

Deno.test("bootstrap: half a CA pair or an unreadable CA stops the start", async () => {
  await using dir = await tempDataDir();
  const { paths } = await ensureClusterTls({ dataDir: dir.path, sans, hostname });
  const key = await Deno.readTextFile(paths.serverCaKey);
  await Deno.remove(paths.serverCaKey);
  await assert.rejects(
    () => ensureClusterTls({ dataDir: dir.path, sans, hostname }),
    (error: Error) => error.message.includes("server-ca.key is missing"),
  );
  await Deno.writeTextFile(paths.serverCaKey, key);
  await Deno.writeTextFile(paths.clientCaCert, "garbage");
  await assert.rejects(
    () => ensureClusterTls({ dataDir: dir.path, sans, hostname }),
    (error: Error) => error.message.includes("client-ca.crt is not a readable certificate"),
  );
});

Deno.test({
  name: "bootstrap: openssl verifies the chain and the usages",
  ignore: !(await hasCommand("openssl")),
  fn: async () => {
    await using dir = await tempDataDir();
    const { paths } = await ensureClusterTls({ dataDir: dir.path, sans, hostname });
    const verify = async (ca: string, cert: string, purpose: string) => {
      const out = await new Deno.Command("openssl", {
        args: ["verify", "-CAfile", ca, "-purpose", purpose, cert],
      }).output();
      return new TextDecoder().decode(out.stdout).trim();
    };
    assert.deepEqual(
      await verify(paths.serverCaCert, paths.servingCert, "sslserver"),
      `${paths.servingCert}: OK`,
    );
    assert.deepEqual(
      await verify(paths.clientCaCert, paths.adminCert, "sslclient"),
      `${paths.adminCert}: OK`,
    );
    assert.notDeepEqual(
      await verify(paths.clientCaCert, paths.servingCert, "sslserver"),
      `${paths.servingCert}: OK`,
    );
  },
});
