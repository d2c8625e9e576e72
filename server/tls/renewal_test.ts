import assert from "node:assert/strict";
import { join } from "node:path";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { ensureClusterTls } from "./bootstrap.ts";
import { extendedKeyUsages, Oid, parseCertificate, subjectAltNames } from "./der.ts";
import { backupClusterTls, CertificateRenewalError, renewLeafCertificates } from "./renewal.ts";
import { certDer, days, forgeLeaf, hasCommand, modeOf, tempDataDir } from "./_test_helpers.ts";

const sans = { dns: ["k3ts.example"], ips: ["192.0.2.10", "2001:db8::1"] };
const hostname = "node-a";

/** Every file under a directory with its content, for "nothing was written" checks. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const walk = async (path: string) => {
    for await (const entry of Deno.readDir(path)) {
      const child = join(path, entry.name);
      if (entry.isDirectory) await walk(child);
      else files[child] = await Deno.readTextFile(child);
    }
  };
  await walk(dir);
  return files;
}

Deno.test("renewal: every leaf is re-issued by its CA with the same key, subject, SANs and usages", async () => {
  await using dir = await tempDataDir();
  const tls = await ensureClusterTls({ dataDir: dir.path, sans, hostname });
  await forgeLeaf(tls, "admin", 20);
  const before = await snapshot(tls.paths.dir);
  const now = new Date();

  const result = await renewLeafCertificates({ dataDir: dir.path, backup: true, now });
  assert.deepEqual(result.renewed.map((r) => [r.file, r.subject, r.key]), [
    ["client-admin.crt", "system:admin", "kept"],
    ["serving-kube-apiserver.crt", "kube-apiserver", "kept"],
  ]);
  const after = await snapshot(tls.paths.dir);
  for (const path of [tls.paths.serverCaCert, tls.paths.serverCaKey, tls.paths.clientCaCert]) {
    assert.equal(after[path], before[path], `${path} untouched`);
  }
  assert.equal(after[tls.paths.adminKey], before[tls.paths.adminKey]);
  assert.equal(after[tls.paths.servingKey], before[tls.paths.servingKey]);
  assert.notEqual(after[tls.paths.adminCert], before[tls.paths.adminCert]);

  const clientCa = new X509Certificate(tls.clientCa.certPem);
  const serverCa = new X509Certificate(tls.serverCa.certPem);
  const admin = new X509Certificate(after[tls.paths.adminCert]);
  const serving = new X509Certificate(after[tls.paths.servingCert]);
  assert(admin.checkIssued(clientCa) && admin.verify(clientCa.publicKey));
  assert(serving.checkIssued(serverCa) && serving.verify(serverCa.publicKey));
  assert(admin.checkPrivateKey(createPrivateKey(tls.admin.keyPem)));
  assert.equal(admin.subject, "CN=system:admin\nO=system:masters");
  const servingFields = parseCertificate(certDer(after[tls.paths.servingCert]));
  assert.deepEqual(
    subjectAltNames(servingFields),
    subjectAltNames(parseCertificate(certDer(tls.serving.certPem))),
  );
  assert.deepEqual(extendedKeyUsages(servingFields), [Oid.serverAuth]);
  const notAfter = result.renewed[0].notAfter.getTime();
  assert(notAfter - now.getTime() > days(364.9) && notAfter - now.getTime() <= days(365));
  assert.equal(await modeOf(tls.paths.adminCert), 0o644);

  // The backup holds the previous files with their modes.
  assert.equal(
    result.backupDir,
    join(dir.path, "server", `tls-${Math.floor(now.getTime() / 1000)}`),
  );
  const backup = await snapshot(result.backupDir!);
  assert.deepEqual(
    Object.fromEntries(Object.entries(backup).map(([p, text]) => [p.split("/").at(-1), text])),
    Object.fromEntries(Object.entries(before).map(([p, text]) => [p.split("/").at(-1), text])),
  );
  assert.equal(await modeOf(join(result.backupDir!, "client-admin.key")), 0o600);
  assert.equal(await modeOf(result.backupDir!), 0o700);

  // The next start accepts the renewed files as they are.
  const restart = await ensureClusterTls({ dataDir: dir.path, sans, hostname });
  assert.deepEqual(restart.changes, []);
  assert.equal(restart.admin.certPem, after[tls.paths.adminCert]);
});

Deno.test("renewal: only the named files, and new keys when asked", async () => {
  await using dir = await tempDataDir();
  const tls = await ensureClusterTls({ dataDir: dir.path, sans, hostname });
  const result = await renewLeafCertificates({
    dataDir: dir.path,
    files: ["client-admin.crt"],
    newKeys: true,
  });
  assert.deepEqual(result.renewed.map((r) => [r.file, r.key]), [["client-admin.crt", "new"]]);
  assert.equal(result.backupDir, undefined);
  assert.equal(await Deno.readTextFile(tls.paths.servingCert), tls.serving.certPem);
  const keyPem = await Deno.readTextFile(tls.paths.adminKey);
  assert.notEqual(keyPem, tls.admin.keyPem);
  assert.equal(await modeOf(tls.paths.adminKey), 0o600);
  const admin = new X509Certificate(await Deno.readTextFile(tls.paths.adminCert));
  assert(admin.checkPrivateKey(createPrivateKey(keyPem)));
  assert(admin.verify(new X509Certificate(tls.clientCa.certPem).publicKey));
});

Deno.test("renewal: a missing leaf key is replaced", async () => {
  await using dir = await tempDataDir();
  const tls = await ensureClusterTls({ dataDir: dir.path, sans, hostname });
  await Deno.remove(tls.paths.servingKey);
  const result = await renewLeafCertificates({
    dataDir: dir.path,
    files: ["serving-kube-apiserver.crt"],
  });
  assert.deepEqual(result.renewed.map((r) => r.key), ["replaced"]);
  const serving = new X509Certificate(await Deno.readTextFile(tls.paths.servingCert));
  assert(serving.checkPrivateKey(createPrivateKey(await Deno.readTextFile(tls.paths.servingKey))));
});

Deno.test("renewal: refusals write nothing", async (t) => {
  await using dir = await tempDataDir();
  const refuse = async (
    options: Omit<Parameters<typeof renewLeafCertificates>[0], "dataDir">,
    message: RegExp,
  ) => {
    const before = await snapshot(dir.path);
    await assert.rejects(
      () => renewLeafCertificates({ dataDir: dir.path, backup: true, ...options }),
      (error: Error) => error instanceof CertificateRenewalError && message.test(error.message),
    );
    assert.deepEqual(await snapshot(dir.path), before);
  };
  await t.step("an empty data dir", async () => {
    await refuse({}, /^no certificates in .*server\/tls: check --data-dir/);
    assert.deepEqual([...Deno.readDirSync(dir.path)], [], "not even a directory is created");
  });
  const tls = await ensureClusterTls({ dataDir: dir.path, sans, hostname });
  await t.step("a CA named", () => refuse({ files: ["server-ca.crt"] }, /is a CA certificate/));
  await t.step("a file that does not exist", () => {
    return refuse({ files: ["client-kubelet.crt"] }, /client-kubelet\.crt does not exist/);
  });
  await t.step("an unreadable certificate file", async () => {
    await Deno.writeTextFile(join(tls.paths.dir, "broken.crt"), "garbage");
    await refuse({}, /cannot read .*broken\.crt \(no PEM CERTIFICATE block\)/);
    await Deno.remove(join(tls.paths.dir, "broken.crt"));
  });
  await t.step("a file holding a chain", async () => {
    await Deno.writeTextFile(tls.paths.servingCert, tls.serving.certPem + tls.serverCa.certPem);
    await refuse({}, /serving-kube-apiserver\.crt holds a certificate chain/);
    await Deno.writeTextFile(tls.paths.servingCert, tls.serving.certPem);
  });
  await t.step("a leaf whose CA key is gone", async () => {
    const key = await Deno.readTextFile(tls.paths.clientCaKey);
    await Deno.remove(tls.paths.clientCaKey);
    await refuse({}, /no CA with its key in .* issued .*client-admin\.crt/);
    await Deno.writeTextFile(tls.paths.clientCaKey, key);
  });
  await t.step("a leaf signed by a CA this server does not have", async () => {
    await using other = await tempDataDir();
    const foreign = await ensureClusterTls({ dataDir: other.path, sans, hostname });
    await Deno.writeTextFile(tls.paths.adminCert, foreign.admin.certPem);
    await refuse({ files: ["client-admin.crt"] }, /no CA with its key/);
    await Deno.writeTextFile(tls.paths.adminCert, tls.admin.certPem);
  });
});

Deno.test("renewal: a leaf whose CA has expired is refused", async () => {
  await using dir = await tempDataDir();
  const elevenYearsAgo = new Date(Date.now() - days(11 * 365));
  await ensureClusterTls({ dataDir: dir.path, sans, hostname, now: elevenYearsAgo });
  await assert.rejects(
    () => renewLeafCertificates({ dataDir: dir.path, files: ["client-admin.crt"] }),
    /CA .*client-ca\.crt expired at .*; .*client-admin\.crt cannot be renewed with it/,
  );
});

Deno.test("renewal: two backups in one second both survive", async () => {
  await using dir = await tempDataDir();
  await ensureClusterTls({ dataDir: dir.path, sans, hostname });
  const now = new Date();
  const first = await backupClusterTls(dir.path, now);
  const second = await backupClusterTls(dir.path, now);
  assert.equal(second, `${first}-2`);
  assert.deepEqual(
    Object.keys(await snapshot(second)).length,
    Object.keys(await snapshot(first)).length,
  );
});

Deno.test({
  name: "renewal: openssl verifies the renewed chain and usages",
  ignore: !(await hasCommand("openssl")),
  fn: async () => {
    await using dir = await tempDataDir();
    const { paths } = await ensureClusterTls({ dataDir: dir.path, sans, hostname });
    await renewLeafCertificates({ dataDir: dir.path, newKeys: true });
    const verify = async (ca: string, cert: string, purpose: string) => {
      const out = await new Deno.Command("openssl", {
        args: ["verify", "-CAfile", ca, "-purpose", purpose, cert],
      }).output();
      return new TextDecoder().decode(out.stdout).trim();
    };
    assert.equal(
      await verify(paths.serverCaCert, paths.servingCert, "sslserver"),
      `${paths.servingCert}: OK`,
    );
    assert.equal(
      await verify(paths.clientCaCert, paths.adminCert, "sslclient"),
      `${paths.adminCert}: OK`,
    );
  },
});
