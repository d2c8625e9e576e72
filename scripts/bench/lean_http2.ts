/**
 * A lean HTTP/2 client for the bench's latency readers, in the spirit of `h2load`: GETs over one
 * TLS connection (`Deno.connectTls`, client certificate, ALPN `h2`), one stream at a time, with
 * just the protocol a GET needs.
 *
 * Why: a reader's latency includes its own client's work. Measured against an idle server, one
 * sequential GET cost the bench 327 µs of CPU through `node:http2` and 353 µs through `fetch`,
 * as much as the server spent answering it; under the create load that work also queued for a
 * core with everything else. This client reads the status and counts the body's bytes, nothing
 * more.
 *
 * What it does not do: decode response headers beyond `:status` (HPACK: the server's encoder
 * sends `:status: 200` as static entry 8, byte 0x88, first in the block; any other first byte
 * reads as "not 200"), send request bodies, or run streams concurrently.
 *
 * @module
 */
import type { ApiCredentials } from "../../tests/helpers/api_client.ts";

const PREFACE = new TextEncoder().encode("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
const DATA = 0x0, HEADERS = 0x1, RST_STREAM = 0x3, SETTINGS = 0x4, PING = 0x6, GOAWAY = 0x7;
const END_STREAM = 0x1, ACK = 0x1, END_HEADERS = 0x4, PADDED = 0x8, PRIORITY = 0x20;
/** The receive window opened on the connection and per stream, as client-go does (1 GiB). */
const WINDOW = 1 << 30;
/** Window given back once this much was received. */
const WINDOW_REFILL = 1 << 29;

/** One frame: 9-byte header and payload. */
function frame(type: number, flags: number, stream: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(9 + payload.length);
  out[0] = payload.length >>> 16;
  out[1] = (payload.length >>> 8) & 0xff;
  out[2] = payload.length & 0xff;
  out[3] = type;
  out[4] = flags;
  new DataView(out.buffer).setUint32(5, stream & 0x7fffffff);
  out.set(payload, 9);
  return out;
}

function u32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
}

/** An HPACK string literal without Huffman coding (lengths below 127 fit the prefix). */
function hpackString(text: string): number[] {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length >= 127) throw new Error(`header value too long for the lean client: ${text}`);
  return [bytes.length, ...bytes];
}

/** An HTTP/2 connection that GETs one path after another. */
export class LeanHttp2Connection {
  readonly #conn: Deno.TlsConn;
  readonly #authority: string;
  #buffer = new Uint8Array(64 * 1024);
  #start = 0;
  #end = 0;
  #nextStream = 1;
  #unacknowledged = 0;

  private constructor(conn: Deno.TlsConn, authority: string) {
    this.#conn = conn;
    this.#authority = authority;
  }

  /** Connects with the credentials' client certificate and exchanges settings. */
  static async connect(credentials: ApiCredentials): Promise<LeanHttp2Connection> {
    const url = new URL(credentials.server);
    const conn = await Deno.connectTls({
      hostname: url.hostname,
      port: Number(url.port || 443),
      caCerts: [credentials.caPem],
      cert: credentials.certPem,
      key: credentials.keyPem,
      alpnProtocols: ["h2"],
    });
    const { alpnProtocol } = await conn.handshake();
    if (alpnProtocol !== "h2") {
      conn.close();
      throw new Error(`the server chose ${alpnProtocol ?? "no protocol"}, not h2`);
    }
    const client = new LeanHttp2Connection(conn, url.host);
    // SETTINGS_ENABLE_PUSH = 0, SETTINGS_INITIAL_WINDOW_SIZE = 1 GiB; then a connection window.
    const settings = new Uint8Array([0, 2, 0, 0, 0, 0, 0, 4, ...u32(WINDOW)]);
    await client.#write(
      PREFACE,
      frame(SETTINGS, 0, 0, settings),
      frame(0x8, 0, 0, u32(WINDOW - 65_535)),
    );
    return client;
  }

  /**
   * GETs `path` and reads the whole response.
   * @returns the status (200, or 0 for any other) and the body's length in bytes.
   */
  async get(path: string): Promise<{ status: number; bytes: number }> {
    const stream = this.#nextStream;
    this.#nextStream += 2;
    // :method GET (2), :scheme https (7), then :authority (1) and :path (4) as literals.
    const block = new Uint8Array([
      0x82,
      0x87,
      0x01,
      ...hpackString(this.#authority),
      0x04,
      ...hpackString(path),
    ]);
    await this.#write(frame(HEADERS, END_HEADERS | END_STREAM, stream, block));
    let status = -1;
    let bytes = 0;
    for (;;) {
      const { type, flags, id, payload } = await this.#readFrame();
      if (type === SETTINGS && !(flags & ACK)) {
        await this.#write(frame(SETTINGS, ACK, 0, new Uint8Array()));
      } else if (type === PING && !(flags & ACK)) await this.#write(frame(PING, ACK, 0, payload));
      else if (type === GOAWAY) throw new Error("the server sent GOAWAY");
      else if (id !== stream) continue;
      else if (type === RST_STREAM) throw new Error(`the server reset stream ${stream}`);
      else if (type === HEADERS && status === -1) {
        let offset = flags & PADDED ? 1 : 0;
        if (flags & PRIORITY) offset += 5;
        status = payload[offset] === 0x88 ? 200 : 0;
      } else if (type === DATA) {
        bytes += payload.length;
        this.#unacknowledged += payload.length;
      }
      if (id === stream && flags & END_STREAM && (type === DATA || type === HEADERS)) break;
    }
    if (this.#unacknowledged >= WINDOW_REFILL) {
      await this.#write(frame(0x8, 0, 0, u32(this.#unacknowledged)));
      this.#unacknowledged = 0;
    }
    return { status, bytes };
  }

  /** Closes the connection (without GOAWAY: the server treats it as a client gone). */
  close(): void {
    try {
      this.#conn.close();
    } catch {
      // Already closed.
    }
  }

  async #write(...chunks: Uint8Array[]): Promise<void> {
    const length = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    const out = new Uint8Array(length);
    let offset = 0;
    for (const chunk of chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    for (let written = 0; written < out.length;) {
      written += await this.#conn.write(out.subarray(written));
    }
  }

  async #readFrame(): Promise<{ type: number; flags: number; id: number; payload: Uint8Array }> {
    await this.#fill(9);
    const b = this.#buffer, s = this.#start;
    const length = (b[s] << 16) | (b[s + 1] << 8) | b[s + 2];
    await this.#fill(9 + length);
    const h = this.#start;
    const type = this.#buffer[h + 3], flags = this.#buffer[h + 4];
    const id = new DataView(this.#buffer.buffer, h + 5, 4).getUint32(0) & 0x7fffffff;
    const payload = this.#buffer.slice(h + 9, h + 9 + length);
    this.#start = h + 9 + length;
    return { type, flags, id, payload };
  }

  /** Reads until `count` bytes are buffered from `#start`. */
  async #fill(count: number): Promise<void> {
    while (this.#end - this.#start < count) {
      if (this.#buffer.length - this.#start < count || this.#end === this.#buffer.length) {
        const size = Math.max(this.#buffer.length, count * 2);
        const next = new Uint8Array(size);
        next.set(this.#buffer.subarray(this.#start, this.#end));
        this.#end -= this.#start;
        this.#start = 0;
        this.#buffer = next;
      }
      const read = await this.#conn.read(this.#buffer.subarray(this.#end));
      if (read === null) throw new Error("the server closed the connection");
      this.#end += read;
    }
  }
}
