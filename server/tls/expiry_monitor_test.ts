import assert from "node:assert/strict";
import { join } from "node:path";
import type { Logger } from "../log.ts";
import { ensureClusterTls } from "./bootstrap.ts";
import { checkCertificateExpiry, startCertificateExpiryMonitor } from "./expiry_monitor.ts";
import type { CertificateExpiryEvent } from "./expiry_warnings.ts";
import { forgeLeaf, tempDataDir } from "./_test_helpers.ts";
import { waitFor } from "../../tests/helpers/wait.ts";

function recordingLogger(): Logger & { warnings: [string, Record<string, unknown>?][] } {
  const warnings: [string, Record<string, unknown>?][] = [];
  return {
    warnings,
    debug() {},
    info() {},
    error() {},
    warn: (msg, fields) => warnings.push([msg, fields]),
  };
}

async function expiringDataDir(path: string) {
  const tls = await ensureClusterTls({ dataDir: path, sans: { dns: [], ips: [] }, hostname: "h" });
  await forgeLeaf(tls, "admin", 10);
  return tls;
}

Deno.test("expiry monitor: one check logs and posts each certificate in the window", async () => {
  await using dir = await tempDataDir();
  const tls = await expiringDataDir(dir.path);
  await Deno.writeTextFile(join(tls.paths.dir, "broken.crt"), "garbage");
  const logger = recordingLogger();
  const posted: CertificateExpiryEvent[] = [];
  const count = await checkCertificateExpiry({
    dataDir: dir.path,
    logger,
    node: { name: "node-a" },
    postEvent: (event) => Promise.resolve(posted.push(event)),
  });
  assert.equal(count, 1);
  assert.deepEqual(logger.warnings.map(([msg]) => msg.split(":")[0]), [
    "Certificate file is not readable",
    tls.paths.adminCert,
  ]);
  assert.match(logger.warnings[1][0], /will expire within 30 days at .*; restart k3ts/);
  assert.equal(logger.warnings[1][1]?.daysRemaining, 9);
  assert.deepEqual(posted.map((e) => [e.involvedObject.kind, e.involvedObject.name, e.reason]), [
    ["Node", "node-a", "CertificateExpirationWarning"],
  ]);
});

Deno.test("expiry monitor: a healthy data dir logs nothing", async () => {
  await using dir = await tempDataDir();
  await ensureClusterTls({ dataDir: dir.path, sans: { dns: [], ips: [] }, hostname: "h" });
  const logger = recordingLogger();
  assert.equal(await checkCertificateExpiry({ dataDir: dir.path, logger }), 0);
  assert.deepEqual(logger.warnings, []);
});

Deno.test("expiry monitor: checks again each interval, survives failed posts, stops on abort", async () => {
  await using dir = await tempDataDir();
  await expiringDataDir(dir.path);
  const stop = new AbortController();
  const errors: unknown[] = [];
  let attempts = 0;
  const stopped = startCertificateExpiryMonitor({
    dataDir: dir.path,
    logger: recordingLogger(),
    intervalMs: 1,
    signal: stop.signal,
    postEvent: () => {
      attempts++;
      return Promise.reject(new Error("apiserver not ready"));
    },
    onError: (error) => errors.push(error),
  });
  await waitFor("three checks", () => attempts >= 3);
  stop.abort();
  await stopped;
  assert(errors.length >= 3);
  assert.equal((errors[0] as Error).message, "apiserver not ready");
});
