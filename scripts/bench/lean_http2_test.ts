import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { ensureClusterTls } from "../../server/tls/bootstrap.ts";
import { LeanHttp2Connection, statusOf } from "./lean_http2.ts";

/**
 * A `node:http2` mTLS server (the API server's transport) answering by path, and one lean
 * connection to it for `fn`. A stalled exchange (a window never given back) closes the
 * connection after 10 s, which fails the test instead of hanging it.
 */
async function withConnection(
  fn: (connection: LeanHttp2Connection) => Promise<void>,
  options: { window?: number } = {},
): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "k3ts-lean-h2-" });
  const tls = await ensureClusterTls({ dataDir, sans: { dns: [], ips: [] } });
  const server = http2.createSecureServer({
    cert: tls.serving.certPem,
    key: tls.serving.keyPem,
    ca: tls.clientCa.certPem,
    requestCert: true,
    rejectUnauthorized: true,
  });
  // As the API server does: small frames (after a WINDOW_UPDATE) must not wait for an ACK.
  server.on("secureConnection", (socket) => socket.setNoDelay(true));
  server.on("stream", (stream, headers) => {
    const path = String(headers[":path"]);
    if (headers[":method"] === "POST") {
      // Answers with the status the path names and the body it received, to count.
      const chunks: Uint8Array[] = [];
      stream.on("data", (chunk: Uint8Array) => chunks.push(chunk));
      stream.on("end", () => {
        stream.respond({
          ":status": Number(path.slice(1)),
          "content-type": String(headers["content-type"]),
        });
        stream.end(Buffer.concat(chunks));
      });
    } else if (path === "/early") {
      // An interim answer (103 Early Hints) before the final one.
      stream.additionalHeaders({ ":status": 103, link: "</style.css>; rel=preload" });
      stream.respond({ ":status": 200 });
      stream.end("final");
    } else if (path === "/missing") {
      stream.respond({ ":status": 404, "content-type": "application/json" });
      stream.end('{"kind":"Status","code":404}');
    } else if (path.startsWith("/big")) {
      // Larger than the default 64 KiB windows and one 16 KiB frame: many DATA frames.
      stream.respond({ ":status": 200 });
      stream.end("x".repeat(300_000));
    } else {
      stream.respond({ ":status": 200, "content-type": "application/json" });
      stream.end(JSON.stringify({ path }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const connection = await LeanHttp2Connection.connect({
      server: `https://127.0.0.1:${port}`,
      caPem: tls.serverCa.certPem,
      certPem: tls.admin.certPem,
      keyPem: tls.admin.keyPem,
    }, options);
    const deadline = setTimeout(() => connection.close(), 10_000);
    try {
      await fn(connection);
    } finally {
      clearTimeout(deadline);
      connection.close();
    }
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await Deno.remove(dataDir, { recursive: true });
  }
}

Deno.test("lean_http2: GETs one after another on one connection, with status and body size", async () => {
  await withConnection(async (connection) => {
    for (let i = 0; i < 20; i++) {
      const path = `/api/v1/namespaces/default/configmaps/c${i}`;
      const answer = await connection.get(path);
      assert.deepEqual(answer, { status: 200, bytes: JSON.stringify({ path }).length });
    }
    assert.equal((await connection.get("/missing")).status, 404);
    assert.deepEqual(await connection.get("/early"), { status: 200, bytes: 5 }, "1xx skipped");
    assert.deepEqual(await connection.get("/big"), { status: 200, bytes: 300_000 });
    assert.deepEqual(await connection.get("/big?again"), { status: 200, bytes: 300_000 });
    assert.equal((await connection.get("/after")).status, 200);
  });
});

Deno.test("lean_http2: with a small window, bodies larger than it arrive (the window is given back)", async () => {
  // 64 KiB windows: a 300,000-byte body needs the stream's and the connection's given back
  // several times, and five of them the connection's again and again. (About 0.25 s a body
  // here, against milliseconds with the bench's 1 GiB window: hence five, not more.)
  await withConnection(async (connection) => {
    for (let i = 0; i < 5; i++) {
      assert.deepEqual(await connection.get(`/big?${i}`), { status: 200, bytes: 300_000 });
    }
  }, { window: 65_536 });
});

Deno.test("lean_http2: POSTs a body and reads statuses outside the static table", async () => {
  await withConnection(async (connection) => {
    const body = new TextEncoder().encode(JSON.stringify({ data: { value: "x".repeat(256) } }));
    // More bodies than the server's first 64 KiB connection window holds: unless its
    // WINDOW_UPDATEs are counted, the client waits for room until the deadline.
    for (let i = 0; i < 300; i++) {
      const status = [201, 409, 422, 500][i % 4];
      assert.deepEqual(await connection.request("POST", `/${status}`, body), {
        status,
        bytes: body.length,
      });
    }
    assert.equal((await connection.get("/after")).status, 200);
  });
});

Deno.test("lean_http2: statusOf reads static entries, size updates and literals", () => {
  assert.equal(statusOf(new Uint8Array([0x88])), 200);
  assert.equal(statusOf(new Uint8Array([0x20, 0x8d])), 404, "after a table size update");
  // A size update to 4,096: the 5-bit prefix is full, two continuation bytes follow.
  assert.equal(statusOf(new Uint8Array([0x3f, 0xe1, 0x1f, 0x88])), 200);
  // Literal with incremental indexing, name 8, Huffman "201" and "422" (RFC 7541 appendix B).
  assert.equal(statusOf(new Uint8Array([0x48, 0x82, 0x10, 0x03])), 201);
  assert.equal(statusOf(new Uint8Array([0x08, 0x82, 0x68, 0x42])), 422);
  assert.equal(statusOf(new TextEncoder().encode("\x08\x03409")), 409, "plain digits");
  assert.equal(statusOf(new Uint8Array([0x48, 0x82, 0x60, 0x03])), 0, "'/' is not a digit");
  assert.equal(statusOf(new Uint8Array([0x84])), 0, "not :status");
  // Cut short (the rest of the block in a CONTINUATION frame): 0, not 200 or 40.
  assert.equal(statusOf(new Uint8Array([0x48, 0x82, 0x10])), 0);
  assert.equal(statusOf(new TextEncoder().encode("\x08\x03" + "40")), 0);
  assert.equal(statusOf(new TextEncoder().encode("\x08\x03" + "2e2")), 0, "digits only");
  // A literal may name :status by any of its static entries (8-14).
  assert.equal(statusOf(new Uint8Array([0x4d, 0x82, 0x68, 0x42])), 422);
  assert.equal(statusOf(new Uint8Array([])), 0);
});
