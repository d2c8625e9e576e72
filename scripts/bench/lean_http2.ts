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
const WINDOW_UPDATE = 0x8, CONTINUATION = 0x9;
const END_STREAM = 0x1, ACK = 0x1, END_HEADERS = 0x4, PADDED = 0x8, PRIORITY = 0x20;
/** The HTTP/2 default window, which the connection starts with whatever SETTINGS say. */
const DEFAULT_WINDOW = 65_535;
/** The receive window opened on the connection and per stream, as client-go does (1 GiB). */
const CLIENT_GO_WINDOW = 1 << 30;

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
  /** The HPACK block of a GET of each path asked for: a reader asks for the same one again. */
  readonly #requestBlocks = new Map<string, Uint8Array>();
  /** Bytes received on the connection since its window was last given back. */
  #unacknowledged = 0;
  readonly #window: number;

  private constructor(conn: Deno.TlsConn, authority: string, window: number) {
    this.#conn = conn;
    this.#authority = authority;
    this.#window = window;
  }

  /**
   * Connects with the credentials' client certificate and exchanges settings.
   * @param options.window The receive window per stream and for the connection (default
   *   1 GiB, as client-go); half of it is given back at a time. Tests shrink it.
   */
  static async connect(
    credentials: ApiCredentials,
    options: { window?: number } = {},
  ): Promise<LeanHttp2Connection> {
    const window = options.window ?? CLIENT_GO_WINDOW;
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
    const client = new LeanHttp2Connection(conn, url.host, window);
    // SETTINGS_ENABLE_PUSH = 0, SETTINGS_INITIAL_WINDOW_SIZE; then the connection's window.
    const settings = new Uint8Array([0, 2, 0, 0, 0, 0, 0, 4, ...u32(window)]);
    const frames = [PREFACE, frame(SETTINGS, 0, 0, settings)];
    if (window > DEFAULT_WINDOW) {
      frames.push(frame(WINDOW_UPDATE, 0, 0, u32(window - DEFAULT_WINDOW)));
    }
    await client.#write(...frames);
    return client;
  }

  /**
   * GETs `path` and reads the whole response.
   * @returns the status (200, or 0 for any other or none) and the body's length in bytes.
   */
  async get(path: string): Promise<{ status: number; bytes: number }> {
    const stream = this.#nextStream;
    this.#nextStream += 2;
    let block = this.#requestBlocks.get(path);
    if (!block) {
      // :method GET (2), :scheme https (7), then :authority (1) and :path (4) as literals.
      block = new Uint8Array([
        0x82,
        0x87,
        0x01,
        ...hpackString(this.#authority),
        0x04,
        ...hpackString(path),
      ]);
      this.#requestBlocks.set(path, block);
    }
    await this.#write(frame(HEADERS, END_HEADERS | END_STREAM, stream, block));
    let status = -1;
    let bytes = 0;
    /** Set when a HEADERS frame ended the stream but its header block goes on in CONTINUATION. */
    let endsAfterHeaders = false;
    /** Bytes received on this stream since its window was last given back. */
    let streamUnacknowledged = 0;
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
        // Flow control counts the whole payload; the body is what the padding leaves.
        this.#unacknowledged += payload.length;
        streamUnacknowledged += payload.length;
        bytes += flags & PADDED ? payload.length - 1 - payload[0] : payload.length;
        if (flags & END_STREAM) break;
        // Half of a window used: give it back, for the stream and for the connection.
        if (streamUnacknowledged >= this.#window / 2) {
          await this.#write(frame(WINDOW_UPDATE, 0, stream, u32(streamUnacknowledged)));
          streamUnacknowledged = 0;
        }
        await this.#giveBackConnectionWindow();
      }
      if (type === HEADERS && flags & END_STREAM) {
        if (flags & END_HEADERS) break;
        endsAfterHeaders = true;
      } else if (type === CONTINUATION && flags & END_HEADERS && endsAfterHeaders) break;
    }
    await this.#giveBackConnectionWindow();
    return { status: status === 200 ? 200 : 0, bytes };
  }

  /** Closes the connection (without GOAWAY: the server treats it as a client gone). */
  close(): void {
    try {
      this.#conn.close();
    } catch {
      // Already closed.
    }
  }

  async #giveBackConnectionWindow(): Promise<void> {
    if (this.#unacknowledged < this.#window / 2) return;
    await this.#write(frame(WINDOW_UPDATE, 0, 0, u32(this.#unacknowledged)));
    this.#unacknowledged = 0;
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
    // A view, valid until the next read: each frame is handled before the next is read.
    const payload = this.#buffer.subarray(h + 9, h + 9 + length);
    this.#start = h + 9 + length;
    return { type, flags, id, payload };
  }

  /** Reads until `count` bytes are buffered from `#start`. */
  async #fill(count: number): Promise<void> {
    while (this.#end - this.#start < count) {
      if (this.#buffer.length - this.#start < count) {
        // Too little room after #start: move what is buffered to the front, in a larger buffer
        // when the frame does not fit at all.
        const next = count > this.#buffer.length ? new Uint8Array(count * 2) : this.#buffer;
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
