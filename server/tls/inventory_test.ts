import assert from "node:assert/strict";
import { join } from "node:path";
import { clusterTlsPaths, ensureClusterTls } from "./bootstrap.ts";
import {
  CERTIFICATE_SERVICES,
  certificateStatus,
  listClusterCertificates,
  serviceOfFile,
} from "./inventory.ts";
import { days, forgeLeaf, tempDataDir } from "./_test_helpers.ts";

const sans = { dns: [], ips: ["192.0.2.10"] };
const hostname = "node-a";

Deno.test("inventory: a fresh data dir lists both CAs and both leaves as OK", async () => {
  await using dir = await tempDataDir();
  const tls = await ensureClusterTls({ dataDir: dir.path, sans, hostname });
  const now = new Date();
  const inventory = await listClusterCertificates(dir.path, { now });
  assert.equal(inventory.dir, join(dir.path, "server", "tls"));
  assert.equal(inventory.checkedAt, now);
  assert.deepEqual(inventory.unreadable, []);
  assert.deepEqual(
    inventory.certificates.map((c) => [c.file, c.usages, c.service, c.status]),
    [
      ["client-admin.crt", ["client"], "admin", "OK"],
      ["client-ca.crt", ["CA"], undefined, "OK"],
      ["server-ca.crt", ["CA"], undefined, "OK"],
      ["serving-kube-apiserver.crt", ["server"], "api-server", "OK"],
    ],
  );
  const [admin, clientCa, serverCa, serving] = inventory.certificates;
  assert.match(clientCa.subject, /^k3ts-client-ca@\d+$/);
  assert.match(serverCa.subject, /^k3ts-server-ca@\d+$/);
  assert.equal(admin.subject, "system:admin");
  assert.equal(serving.subject, "kube-apiserver");
  assert.deepEqual(admin.organizations, ["system:masters"]);
  assert.equal(admin.path, tls.paths.adminCert);
  assert.equal(serving.daysRemaining, 364);
  assert.equal(clientCa.daysRemaining, 3649);
  assert(admin.notBefore < now && admin.notAfter > now);
});

Deno.test("inventory: WARNING at 30 days or fewer, EXPIRED after notAfter, NOT YET VALID before notBefore", async () => {
  await using dir = await tempDataDir();
  const tls = await ensureClusterTls({ dataDir: dir.path, sans, hostname });
  await forgeLeaf(tls, "admin", 20);
  await forgeLeaf(tls, "serving", 365, new Date(Date.now() - days(400)));
  const now = new Date();
  const byFile = (inventory: Awaited<ReturnType<typeof listClusterCertificates>>) =>
    Object.fromEntries(inventory.certificates.map((c) => [c.file, c]));
  const current = byFile(await listClusterCertificates(dir.path, { now }));
  assert.equal(current["client-admin.crt"].status, "WARNING");
  assert.equal(current["client-admin.crt"].daysRemaining, 19);
  assert.equal(current["serving-kube-apiserver.crt"].status, "EXPIRED");
  assert.equal(current["serving-kube-apiserver.crt"].daysRemaining, -35);
  assert.equal(current["server-ca.crt"].status, "OK");

  // A clock set back before issuance.
  const past = byFile(
    await listClusterCertificates(dir.path, { now: new Date(now.getTime() - days(1)) }),
  );
  assert.equal(past["client-admin.crt"].status, "NOT YET VALID");

  // The threshold is an option.
  const strict = byFile(await listClusterCertificates(dir.path, { now, warnWithinDays: 10 }));
  assert.equal(strict["client-admin.crt"].status, "OK");
});

Deno.test("inventory: status boundaries", () => {
  const notBefore = new Date("2026-01-01T00:00:00Z");
  const notAfter = new Date("2026-03-02T00:00:00Z");
  const at = (iso: string) => certificateStatus({ notBefore, notAfter }, new Date(iso));
  assert.equal(at("2025-12-31T23:59:59Z"), "NOT YET VALID");
  assert.equal(at("2026-01-30T23:59:59Z"), "OK"); // a second more than 30 days left
  assert.equal(at("2026-01-31T00:00:00Z"), "WARNING"); // exactly 30 days left
  assert.equal(at("2026-03-02T00:00:00Z"), "WARNING"); // valid through its last second
  assert.equal(at("2026-03-02T00:00:01Z"), "EXPIRED");
});

Deno.test("inventory: unreadable files are reported, temporary files and backups are not listed", async () => {
  await using dir = await tempDataDir();
  const { paths } = await ensureClusterTls({ dataDir: dir.path, sans, hostname });
  await Deno.writeTextFile(join(paths.dir, "garbage.crt"), "not a certificate");
  await Deno.writeTextFile(join(paths.dir, "client-admin.crt.1a2b.tmp"), "half written");
  await Deno.mkdir(join(dir.path, "server", "tls-1700000000"));
  await Deno.copyFile(paths.adminCert, join(dir.path, "server", "tls-1700000000", "old.crt"));
  const inventory = await listClusterCertificates(dir.path);
  assert.equal(inventory.certificates.length, 4);
  assert.deepEqual(inventory.unreadable.map((u) => [u.file, u.reason]), [
    ["garbage.crt", "no PEM CERTIFICATE block"],
  ]);
});

Deno.test("inventory: a file holding a chain yields one record per certificate", async () => {
  await using dir = await tempDataDir();
  const tls = await ensureClusterTls({ dataDir: dir.path, sans, hostname });
  await Deno.writeTextFile(tls.paths.servingCert, tls.serving.certPem + tls.serverCa.certPem);
  const inventory = await listClusterCertificates(dir.path);
  const serving = inventory.certificates.filter((c) => c.file === "serving-kube-apiserver.crt");
  assert.deepEqual(serving.map((c) => [c.usages, c.service]), [
    [["server"], "api-server"],
    [["CA"], undefined],
  ]);
});

Deno.test("inventory: a missing data dir is an empty inventory", async () => {
  await using dir = await tempDataDir();
  const inventory = await listClusterCertificates(join(dir.path, "nothing-here"));
  assert.deepEqual([inventory.certificates, inventory.unreadable], [[], []]);
});

Deno.test("inventory: services name the files the bootstrap writes", () => {
  const paths = clusterTlsPaths("/d");
  assert.deepEqual(CERTIFICATE_SERVICES, {
    admin: ["client-admin.crt"],
    "api-server": ["serving-kube-apiserver.crt"],
  });
  assert.equal(paths.adminCert, "/d/server/tls/client-admin.crt");
  assert.equal(serviceOfFile("serving-kube-apiserver.crt"), "api-server");
  assert.equal(serviceOfFile("server-ca.crt"), undefined);
});
