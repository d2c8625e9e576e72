import assert from "node:assert/strict";
import { createServer, request } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { ensureClusterTls } from "./bootstrap.ts";
import { createCertificateAuthority } from "./ca.ts";
import { issueCertificate } from "./certificates.ts";
import { verifyClientCertificate } from "./verify.ts";
import { writeAdminKubeconfig } from "./kubeconfig.ts";
import { hasCommand, tempDataDir } from "./_test_helpers.ts";
import { join } from "node:path";

interface Seen {
  authorized: boolean;
  identity: ReturnType<typeof verifyClientCertificate>;
}

/** Serves one mTLS endpoint with the cluster's serving cert; reports what it saw per request. */
async function withServer(
  tls: Awaited<ReturnType<typeof ensureClusterTls>>,
  fn: (port: number, seen: Seen[]) => Promise<void>,
): Promise<void> {
  const seen: Seen[] = [];
  const server = createServer({
    cert: tls.serving.certPem,
    key: tls.serving.keyPem,
    ca: tls.clientCa.certPem,
    requestCert: true,
    rejectUnauthorized: false,
  }, (req, res) => {
    const socket = req.socket as TLSSocket;
    const peer = socket.getPeerCertificate(true);
    seen.push({
      authorized: socket.authorized,
      identity: peer?.raw ? verifyClientCertificate(peer.raw, tls.clientCa.certPem) : null,
    });
    res.setHeader("connection", "close");
    res.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    await fn((server.address() as AddressInfo).port, seen);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function get(
  port: number,
  options: { ca: string; cert: string; key: string; servername?: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: "127.0.0.1",
      port,
      path: "/",
      agent: false,
      ...options,
    }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => body += chunk);
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

Deno.test("handshake: the admin certificate is authorized over mTLS with the serving cert", async () => {
  await using dir = await tempDataDir();
  const tls = await ensureClusterTls({
    dataDir: dir.path,
    sans: { dns: [], ips: [] },
    hostname: "h",
  });
  await withServer(tls, async (port, seen) => {
    const response = await get(port, {
      ca: tls.serverCa.certPem,
      cert: tls.admin.certPem,
      key: tls.admin.keyPem,
    });
    assert.deepEqual(response, { status: 200, body: "ok" });
    assert.deepEqual(seen, [{
      authorized: true,
      identity: { user: "system:admin", groups: ["system:masters"] },
    }]);
  });
});

Deno.test("handshake: a client certificate from another CA is not authorized", async () => {
  await using dir = await tempDataDir();
  const tls = await ensureClusterTls({
    dataDir: dir.path,
    sans: { dns: [], ips: [] },
    hostname: "h",
  });
  const otherCa = await createCertificateAuthority({ commonName: "intruder-ca" });
  const intruder = await issueCertificate(otherCa, {
    commonName: "system:admin",
    organizations: ["system:masters"],
    usage: "client",
  });
  await withServer(tls, async (port, seen) => {
    // The server does not reject at the TLS layer (rejectUnauthorized: false, as the API server
    // also serves anonymous requests), so the request arrives and is marked unauthorized.
    await get(port, { ca: tls.serverCa.certPem, cert: intruder.certPem, key: intruder.keyPem! });
    assert.deepEqual(seen, [{ authorized: false, identity: null }]);
  });
});

Deno.test("handshake: the client rejects a server whose cert is not from the pinned CA", async () => {
  await using dir = await tempDataDir();
  await using other = await tempDataDir();
  const tls = await ensureClusterTls({
    dataDir: dir.path,
    sans: { dns: [], ips: [] },
    hostname: "h",
  });
  const foreign = await ensureClusterTls({
    dataDir: other.path,
    sans: { dns: [], ips: [] },
    hostname: "h",
  });
  await withServer(tls, async (port) => {
    await assert.rejects(() =>
      get(port, { ca: foreign.serverCa.certPem, cert: tls.admin.certPem, key: tls.admin.keyPem })
    );
  });
});

Deno.test({
  name: "handshake: kubectl authenticates with the written admin kubeconfig",
  ignore: !(await hasCommand("kubectl")),
  fn: async () => {
    await using dir = await tempDataDir();
    const tls = await ensureClusterTls({
      dataDir: dir.path,
      sans: { dns: [], ips: [] },
      hostname: "h",
    });
    await withServer(tls, async (port, seen) => {
      const kubeconfig = join(dir.path, "kubeconfig.yaml");
      await writeAdminKubeconfig({
        path: kubeconfig,
        serverUrl: `https://127.0.0.1:${port}`,
        caPem: tls.serverCa.certPem,
        certPem: tls.admin.certPem,
        keyPem: tls.admin.keyPem,
      });
      const out = await new Deno.Command("kubectl", {
        args: ["--kubeconfig", kubeconfig, "get", "--raw", "/healthz"],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(
        new TextDecoder().decode(out.stdout),
        "ok",
        new TextDecoder().decode(out.stderr),
      );
      assert.deepEqual(seen.at(-1), {
        authorized: true,
        identity: { user: "system:admin", groups: ["system:masters"] },
      });
    });
  },
});
