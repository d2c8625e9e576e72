import assert from "node:assert/strict";
import { ensureClusterTls } from "../tls/bootstrap.ts";
import { GoawayStripper } from "./client_goaway_guard.ts";
import { startHttpsServer } from "./https_server.ts";

const PREFACE = new TextEncoder().encode("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

function frame(type: number, payload: number[], stream = 0): number[] {
  const n = payload.length;
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff, type, 0, 0, 0, 0, stream, ...payload];
}

const settings = frame(0x4, [0, 4, 0, 0, 0xff, 0xff]);
// A HEADERS payload holding the bytes of a GOAWAY header: only frame boundaries count.
const headers = frame(0x1, [0, 0, 8, 7, 0, 0, 0, 0, 0, 0x82, 0x87], 1);
const goaway = frame(0x7, [0, 0, 0, 0, 0, 0, 0, 0]);
const windowUpdate = frame(0x8, [0, 0, 0x10, 0]);
const emptyGoaway = frame(0x7, []);
const data = frame(0x0, Array.from({ length: 40 }, (_, i) => i), 1);

const input = new Uint8Array([
  ...PREFACE,
  ...settings,
  ...headers,
  ...goaway,
  ...windowUpdate,
  ...emptyGoaway,
  ...data,
  ...goaway,
]);
const expected = new Uint8Array([...PREFACE, ...settings, ...headers, ...windowUpdate, ...data]);

function run(chunks: Uint8Array[]): { out: Uint8Array; stripped: number } {
  const stripper = new GoawayStripper();
  const parts = chunks.map((chunk) => stripper.push(chunk));
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return { out, stripped: stripper.stripped };
}

Deno.test("GoawayStripper: removes GOAWAY frames and nothing else, however the bytes are split", () => {
  assert.deepEqual(run([input]), { out: expected, stripped: 3 });
  for (let a = 1; a < input.length; a++) {
    for (let b = a; b < input.length; b += 7) {
      const chunks = [input.subarray(0, a), input.subarray(a, b), input.subarray(b)];
      assert.deepEqual(run(chunks), { out: expected, stripped: 3 }, `split at ${a} and ${b}`);
    }
  }
  const oneByOne = Array.from(input, (byte) => new Uint8Array([byte]));
  assert.deepEqual(run(oneByOne), { out: expected, stripped: 3 });
});

Deno.test("GoawayStripper: a chunk without GOAWAY is handed on as the same object", () => {
  const stripper = new GoawayStripper();
  const first = new Uint8Array([...PREFACE, ...settings, ...headers]);
  assert.equal(stripper.push(first), first);
  const second = new Uint8Array([...data, ...windowUpdate]);
  assert.equal(stripper.push(second), second);
  assert.equal(stripper.stripped, 0);
});

Deno.test("a client's GOAWAY makes the server close the connection, even if the client waits", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "k3ts-goaway-guard-" });
  const tls = await ensureClusterTls({ dataDir, sans: { dns: [], ips: [] } });
  const server = await startHttpsServer({
    host: "127.0.0.1",
    port: 0,
    certPem: tls.serving.certPem,
    keyPem: tls.serving.keyPem,
    clientCaPem: tls.clientCa.certPem,
    handler: () => Promise.resolve(new Response("{}")),
  });
  const conn = await Deno.connectTls({
    hostname: "127.0.0.1",
    port: server.port,
    caCerts: [tls.serverCa.certPem],
    cert: tls.admin.certPem,
    key: tls.admin.keyPem,
    alpnProtocols: ["h2"],
  });
  // A client that goes away and then waits for the server to hang up (RFC 9113 allows both).
  const deadline = setTimeout(() => conn.close(), 10_000);
  try {
    await conn.write(new Uint8Array([...PREFACE, ...frame(0x4, []), ...goaway]));
    const buffer = new Uint8Array(4096);
    let closed = false;
    let received: number[] = [];
    while (!closed) {
      const n = await conn.read(buffer);
      if (n === null) closed = true;
      else received = [...received, ...buffer.subarray(0, n)];
    }
    // The server's own GOAWAY says NO_ERROR: it closed because we went away, not for a fault.
    const at = goawayOffset(received);
    assert.notEqual(at, -1, "the server sent GOAWAY");
    assert.deepEqual(received.slice(at + 13, at + 17), [0, 0, 0, 0], "error code NO_ERROR");
  } finally {
    clearTimeout(deadline);
    try {
      conn.close();
    } catch {
      // Closed by the deadline.
    }
    await server.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

/** Where the first GOAWAY frame starts in a server's frames (after its SETTINGS), or -1. */
function goawayOffset(bytes: number[]): number {
  for (let at = 0; at + 9 <= bytes.length;) {
    if (bytes[at + 3] === 0x7) return at;
    at += 9 + ((bytes[at] << 16) | (bytes[at + 1] << 8) | bytes[at + 2]);
  }
  return -1;
}
