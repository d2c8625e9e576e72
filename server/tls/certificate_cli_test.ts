import assert from "node:assert/strict";
import { join } from "node:path";
import { X509Certificate } from "node:crypto";
import { ensureClusterTls } from "./bootstrap.ts";
import { runCertificateCommand } from "./certificate_cli.ts";
import { forgeLeaf, tempDataDir } from "./_test_helpers.ts";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(args: string[], dataDir: string, now?: Date): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await runCertificateCommand(args, {
    dataDir,
    now,
    stdout: (text) => stdout += text,
    stderr: (text) => stderr += text,
  });
  return { code, stdout, stderr };
}

async function bootstrapped(path: string) {
  return await ensureClusterTls({ dataDir: path, sans: { dns: [], ips: [] }, hostname: "h" });
}

Deno.test("cli: check prints K3s's table", async () => {
  await using dir = await tempDataDir();
  const tls = await bootstrapped(dir.path);
  await forgeLeaf(tls, "admin", 20);
  const result = await run(["check", "--output", "table"], dir.path);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, "");
  const lines = result.stdout.trimEnd().split("\n");
  assert.match(
    lines[0],
    /^FILENAME {21}SUBJECT {21}USAGES {7}EXPIRES {18}RESIDUAL TIME {3}STATUS$/,
  );
  assert.match(lines[1], /^-{8} +-{7} +-{6} +-{7} +-{13} +-{6}$/);
  assert.match(
    lines[2],
    /^client-admin\.crt {13}system:admin {16}ClientAuth {3}\w{3} \d\d, \d{4} \d\d:\d\d UTC {3}2 weeks {9}WARNING$/,
  );
  assert.match(lines[3], /^client-ca\.crt +k3ts-client-ca@\d+ +CertSign +.* UTC {3}10 years +OK$/);
  assert.match(lines[4], /^server-ca\.crt +k3ts-server-ca@\d+ +CertSign /);
  assert.match(lines[5], /^serving-kube-apiserver\.crt +kube-apiserver +ServerAuth .* 1 year +OK$/);
  assert.equal(lines.length, 6);
});

Deno.test("cli: check defaults to text, filters by service, and prints JSON", async () => {
  await using dir = await tempDataDir();
  await bootstrapped(dir.path);
  const text = await run(["check"], dir.path);
  assert.equal(text.code, 0);
  assert.match(
    text.stdout,
    /^INFO {2}client-admin\.crt: certificate system:admin \(ClientAuth\) is ok, expires at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/m,
  );
  assert.equal(text.stdout.trimEnd().split("\n").length, 4);

  const admin = await run(["check", "-s", "admin", "-o=table"], dir.path);
  assert.deepEqual(
    admin.stdout.trimEnd().split("\n").slice(2).map((line) => line.split(" ")[0]),
    ["client-admin.crt"],
  );
  const both = await run(["check", "--service=admin,api-server", "--service", "admin"], dir.path);
  assert.equal(both.stdout.trimEnd().split("\n").length, 2);

  const json = JSON.parse((await run(["check", "-o", "json"], dir.path)).stdout);
  assert.deepEqual(json.certificates.map((c: { file: string }) => c.file), [
    "client-admin.crt",
    "client-ca.crt",
    "server-ca.crt",
    "serving-kube-apiserver.crt",
  ]);
});

Deno.test("cli: check exits 1 without certificates or with an unreadable one", async () => {
  await using dir = await tempDataDir();
  const empty = await run(["check"], dir.path);
  assert.equal(empty.code, 1);
  assert.equal(empty.stdout, "");
  assert.match(empty.stderr, /^k3ts: no certificates in .*\/server\/tls: check --data-dir/);

  const { paths } = await bootstrapped(dir.path);
  await Deno.writeTextFile(join(paths.dir, "broken.crt"), "garbage");
  const table = await run(["check", "-o", "table"], dir.path);
  assert.equal(table.code, 1);
  assert.equal(table.stdout.trimEnd().split("\n").length, 6, "the readable ones are listed");
  assert.match(table.stderr, /broken\.crt is not a readable certificate: no PEM CERTIFICATE block/);
  const text = await run(["check"], dir.path);
  assert.equal(text.code, 1);
  assert.match(text.stdout, /^ERROR broken\.crt: not a readable certificate/m);
});

Deno.test("cli: --data-dir overrides the default data dir", async () => {
  await using dir = await tempDataDir();
  await bootstrapped(dir.path);
  const result = await run(["check", "--data-dir", dir.path], "/nonexistent/k3ts");
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /client-admin\.crt/);
});

Deno.test("cli: bad command lines exit 1 with a clear message", async () => {
  await using dir = await tempDataDir();
  await bootstrapped(dir.path);
  const cases: [string[], RegExp][] = [
    [["check", "--output", "yaml"], /invalid output format "yaml": use text, table or json/],
    [["check", "--output"], /flag --output needs a value/],
    [["check", "--output="], /flag --output needs a non-empty value/],
    [["check", "--bogus"], /unknown flag --bogus for 'certificate check'/],
    [["check", "-x"], /unknown flag -x/],
    [["check", "extra"], /unexpected argument "extra"/],
    [
      ["check", "-s", "kubelet"],
      /service "kubelet" is not recognized; k3ts has: admin, api-server/,
    ],
    [["rotate", "--new-keys=yes"], /flag --new-keys takes no value/],
    [["rotate", "--output", "table"], /unknown flag --output for 'certificate rotate'/],
    [["renew"], /unknown certificate command "renew"/],
  ];
  for (const [args, message] of cases) {
    const result = await run(args, dir.path);
    assert.equal(result.code, 1, args.join(" "));
    assert.match(result.stderr, message, args.join(" "));
  }
  const bare = await run([], dir.path);
  assert.equal(bare.code, 1);
  assert.match(bare.stderr, /^k3ts certificate - /);
  const help = await run(["--help"], dir.path);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /k3ts certificate rotate \[--service NAME\]/);
  const checkHelp = await run(["check", "-h"], dir.path);
  assert.equal(checkHelp.code, 0);
  assert.match(checkHelp.stdout, /-o, --output value +Output format: text, table or json/);
});

Deno.test("cli: rotate renews the leaves, keeps CAs and keys, backs up, and says to restart", async () => {
  await using dir = await tempDataDir();
  const tls = await bootstrapped(dir.path);
  await forgeLeaf(tls, "admin", 20);
  const now = new Date();
  const result = await run(["rotate"], dir.path, now);
  assert.equal(result.code, 0, result.stderr);
  const backupDir = join(dir.path, "server", `tls-${Math.floor(now.getTime() / 1000)}`);
  const lines = result.stdout.trimEnd().split("\n");
  assert.equal(lines[0], `Backed up the previous certificates to ${backupDir}`);
  assert.match(lines[1], /^Renewed client-admin\.crt \(system:admin\) until \d{4}-.*Z$/);
  assert.match(lines[2], /^Renewed serving-kube-apiserver\.crt \(kube-apiserver\) until /);
  assert.match(lines[3], /^Restart the k3ts server to use the renewed certificates/);
  assert.equal(await Deno.readTextFile(tls.paths.serverCaCert), tls.serverCa.certPem);
  assert.equal(await Deno.readTextFile(tls.paths.clientCaKey), tls.clientCa.keyPem);
  assert.equal(await Deno.readTextFile(tls.paths.adminKey), tls.admin.keyPem);
  const admin = new X509Certificate(await Deno.readTextFile(tls.paths.adminCert));
  assert(admin.verify(new X509Certificate(tls.clientCa.certPem).publicKey));

  const check = await run(["check", "-o", "table"], dir.path);
  assert.doesNotMatch(check.stdout, /WARNING/);
});

Deno.test("cli: rotate --service and --new-keys", async () => {
  await using dir = await tempDataDir();
  const tls = await bootstrapped(dir.path);
  const result = await run(["rotate", "--service", "api-server", "--new-keys"], dir.path);
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stdout,
    /^Renewed serving-kube-apiserver\.crt \(kube-apiserver\) until .*, new key$/m,
  );
  assert.doesNotMatch(result.stdout, /client-admin/);
  assert.notEqual(await Deno.readTextFile(tls.paths.servingKey), tls.serving.keyPem);
  assert.equal(await Deno.readTextFile(tls.paths.adminCert), tls.admin.certPem);
});

Deno.test("cli: rotate refuses a data dir without certificates and creates nothing", async () => {
  await using dir = await tempDataDir();
  const result = await run(["rotate"], dir.path);
  assert.equal(result.code, 1);
  assert.equal(result.stdout, "");
  assert.match(result.stderr, /^k3ts: no certificates in .*\/server\/tls: check --data-dir/);
  assert.deepEqual([...Deno.readDirSync(dir.path)], []);
});
