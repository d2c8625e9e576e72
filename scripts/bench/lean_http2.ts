/**
 * A lean HTTP/2 client for the bench's load and latency readers, in the spirit of `h2load`:
 * requests over one TLS connection (`Deno.connectTls`, client certificate, ALPN `h2`), one stream
 * at a time, with just the protocol a GET or a small POST needs.
 *
 * Why: a reader's latency includes its own client's work. Measured against an idle server, one
 * sequential GET cost the bench 327 µs of CPU through `node:http2` and 353 µs through `fetch`,
 * as much as the server spent answering it; under the create load that work also queued for a
 * core with everything else. This client reads the status and counts the body's bytes, nothing
 * more.
 *
 * What it does not do: decode response headers beyond `:status` (it asks the server for an HPACK
 * table of size 0, so `:status` comes as a static entry or a literal; {@link statusOf} reads
 * those and gives 0 for anything else), send a body larger than one frame or a stream's window
 * (it waits for the connection's), or run streams concurrently.
 *
 * @module
 */
import { staticEntry } from "../../server/apiserver/http2/hpack.ts";
import { decodeHuffman } from "../../server/apiserver/http2/huffman.ts";
import type { ApiCredentials } from "../../tests/helpers/api_client.ts";

const PREFACE = new TextEncoder().encode("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
const DATA = 0x0, HEADERS = 0x1, RST_STREAM = 0x3, SETTINGS = 0x4, PING = 0x6, GOAWAY = 0x7;
const WINDOW_UPDATE = 0x8, CONTINUATION = 0x9;
const SETTINGS_HEADER_TABLE_SIZE = 0x1, SETTINGS_ENABLE_PUSH = 0x2;
const SETTINGS_INITIAL_WINDOW_SIZE = 0x4;
const END_STREAM = 0x1, ACK = 0x1, END_HEADERS = 0x4, PADDED = 0x8, PRIORITY = 0x20;
/** The HTTP/2 default window, which the connection starts with whatever SETTINGS say. */
const DEFAULT_WINDOW = 65_535;
/** The smallest SETTINGS_MAX_FRAME_SIZE a peer may set, and its default: a body fits one frame. */
const MIN_MAX_FRAME_SIZE = 16_384;
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

/** One SETTINGS entry: a 16-bit identifier and a 32-bit value. */
function setting(id: number, value: number): Uint8Array {
  return new Uint8Array([id >> 8, id & 0xff, ...u32(value)]);
}

/** An HPACK string literal without Huffman coding (lengths below 127 fit the prefix). */
function hpackString(text: string): number[] {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length >= 127) throw new Error(`header value too long for the lean client: ${text}`);
  return [bytes.length, ...bytes];
}

/** Whether static table entry `index` names `:status` (entries 8-14). */
function namesStatus(index: number): boolean {
  return staticEntry(index)?.[0] === ":status";
}

/**
 * The `:status` at the start of a response header block, or 0 when it cannot be read there.
 *
 * The client set SETTINGS_HEADER_TABLE_SIZE to 0, so the server's encoder indexes nothing: the
 * block may open with dynamic-table size updates, then `:status` (which HTTP/2 puts first) is
 * either a static entry (200, 404, ...) or a literal whose name is a static `:status` entry
 * and whose value is three digits, plain or Huffman-coded. Any other form, or a value the block
 * cuts short (the rest in a CONTINUATION frame), gives 0: never a wrong status.
 */
export function statusOf(block: Uint8Array): number {
  let i = 0;
  // Dynamic table size update: 001xxxxx, a 5-bit prefix integer (continued while 31).
  while (i < block.length && (block[i] & 0xe0) === 0x20) {
    if ((block[i++] & 0x1f) !== 0x1f) continue;
    // The prefix was full: continuation bytes follow while their top bit is set.
    while (i < block.length && block[i++] & 0x80) {
      // Skipped: the new size does not matter to a reader of `:status`.
    }
  }
  const first = block[i++];
  if (first === undefined) return 0;
  if (first & 0x80) return namesStatus(first & 0x7f) ? Number(staticEntry(first & 0x7f)![1]) : 0;
  // Literal with incremental indexing (01xxxxxx) or without / never indexed (000xxxxx).
  const nameIndex = first & 0x40 ? first & 0x3f : first & 0x0f;
  if (!namesStatus(nameIndex) || i >= block.length) return 0;
  const huffman = block[i] & 0x80, length = block[i++] & 0x7f;
  // 0x7f would continue the length in more bytes: far too long for three digits.
  if (length === 0x7f || i + length > block.length) return 0;
  let value = block.subarray(i, i + length);
  if (huffman) {
    try {
      value = decodeHuffman(value);
    } catch {
      return 0; // not a valid Huffman string
    }
  }
  const text = new TextDecoder().decode(value);
  return /^[1-9]\d\d$/.test(text) ? Number(text) : 0;
}

/** An HTTP/2 connection that sends one request after another. */
export class LeanHttp2Connection {
  readonly #conn: Deno.TlsConn;
  readonly #authority: string;
  #buffer = new Uint8Array(64 * 1024);
  #start = 0;
  #end = 0;
  #nextStream = 1;
  /** HPACK blocks by method, path and body length (see #requestBlock). */
  readonly #requestBlocks = new Map<string, Uint8Array>();
  /** What the server lets this client send on the connection (its receive window). */
  #sendWindow = DEFAULT_WINDOW;
  /** What each new stream may send: the server's SETTINGS_INITIAL_WINDOW_SIZE. */
  #streamSendWindow = DEFAULT_WINDOW;
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
    // No HPACK dynamic table (statusOf reads static entries and literals only), no push, the
    // receive window per stream; then the connection's window.
    const settings = new Uint8Array([
      ...setting(SETTINGS_HEADER_TABLE_SIZE, 0),
      ...setting(SETTINGS_ENABLE_PUSH, 0),
      ...setting(SETTINGS_INITIAL_WINDOW_SIZE, window),
    ]);
    const frames = [PREFACE, frame(SETTINGS, 0, 0, settings)];
    if (window > DEFAULT_WINDOW) {
      frames.push(frame(WINDOW_UPDATE, 0, 0, u32(window - DEFAULT_WINDOW)));
    }
    await client.#write(...frames);
    return client;
  }

  /**
   * GETs `path` and reads the whole response.
   * @returns the status (0 when none could be read) and the body's length in bytes.
   */
  get(path: string): Promise<{ status: number; bytes: number }> {
    return this.request("GET", path);
  }

  /**
   * Sends one request and reads the whole response. A body goes as `application/json` in one
   * DATA frame, so it must fit one frame and the windows the server opened (a create's body
   * does, by far).
   * @returns the status (0 when none could be read) and the body's length in bytes.
   */
  async request(
    method: "GET" | "POST",
    path: string,
    body?: Uint8Array,
  ): Promise<{ status: number; bytes: number }> {
    const stream = this.#nextStream;
    this.#nextStream += 2;
    const block = this.#requestBlock(method, path, body?.length);
    if (body) {
      if (body.length > Math.min(this.#streamSendWindow, MIN_MAX_FRAME_SIZE)) {
        throw new Error(`a ${body.length}-byte body does not fit one frame of a stream's window`);
      }
      // The connection's window opens as the server reads: wait for its WINDOW_UPDATE.
      while (body.length > this.#sendWindow) {
        const { type, flags, id, payload } = await this.#readFrame();
        await this.#connectionFrame(type, flags, id, payload);
      }
      this.#sendWindow -= body.length;
      await this.#write(
        frame(HEADERS, END_HEADERS, stream, block),
        frame(DATA, END_STREAM, stream, body),
      );
    } else await this.#write(frame(HEADERS, END_HEADERS | END_STREAM, stream, block));
    let status = -1;
    let bytes = 0;
    /** Set when a HEADERS frame ended the stream but its header block goes on in CONTINUATION. */
    let endsAfterHeaders = false;
    /** Bytes received on this stream since its window was last given back. */
    let streamUnacknowledged = 0;
    for (;;) {
      const { type, flags, id, payload } = await this.#readFrame();
      if (await this.#connectionFrame(type, flags, id, payload) || id !== stream) continue;
      if (type === RST_STREAM) throw new Error(`the server reset stream ${stream}`);
      else if (type === HEADERS && status === -1) {
        let offset = flags & PADDED ? 1 : 0;
        if (flags & PRIORITY) offset += 5;
        const padding = flags & PADDED ? payload[0] : 0;
        status = statusOf(payload.subarray(offset, payload.length - padding));
        // An interim answer (1xx) is followed by the final one's HEADERS.
        if (status >= 100 && status < 200 && !(flags & END_STREAM)) {
          status = -1;
          continue;
        }
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
    return { status: Math.max(status, 0), bytes };
  }

  /**
   * Handles a frame that concerns the connection rather than a stream.
   * @returns whether it was one.
   */
  async #connectionFrame(
    type: number,
    flags: number,
    id: number,
    payload: Uint8Array,
  ): Promise<boolean> {
    if (type === SETTINGS) {
      if (!(flags & ACK)) {
        this.#readSettings(payload);
        await this.#write(frame(SETTINGS, ACK, 0, new Uint8Array()));
      }
    } else if (type === PING) {
      if (!(flags & ACK)) await this.#write(frame(PING, ACK, 0, payload));
    } else if (type === GOAWAY) throw new Error("the server sent GOAWAY");
    else if (type === WINDOW_UPDATE && id === 0) {
      this.#sendWindow += new DataView(payload.buffer, payload.byteOffset, 4).getUint32(0) &
        0x7fffffff;
    } else return false;
    return true;
  }

  /**
   * The HPACK block of a request, kept per method, path and body length: a reader asks for the
   * same again.
   * `:method` GET (static 2) or POST (3), `:scheme` https (7), then `:authority` (1), `:path` (4)
   * and, with a body, `content-type` (31) and `content-length` (28) as literals without indexing.
   */
  #requestBlock(method: "GET" | "POST", path: string, bodyLength?: number): Uint8Array {
    const key = `${method} ${path} ${bodyLength}`;
    let block = this.#requestBlocks.get(key);
    if (!block) {
      const bytes = [method === "GET" ? 0x82 : 0x83, 0x87, 0x01, ...hpackString(this.#authority)];
      bytes.push(0x04, ...hpackString(path));
      if (bodyLength !== undefined) {
        // Index 31 and 28 need a second byte after the 4-bit prefix's 15.
        bytes.push(0x0f, 31 - 15, ...hpackString("application/json"));
        bytes.push(0x0f, 28 - 15, ...hpackString(String(bodyLength)));
      }
      block = new Uint8Array(bytes);
      // Creates post to one path with bodies of a few lengths; do not grow without bound.
      if (this.#requestBlocks.size >= 64) this.#requestBlocks.clear();
      this.#requestBlocks.set(key, block);
    }
    return block;
  }

  /** Takes the server's INITIAL_WINDOW_SIZE, the send window every new stream starts with. */
  #readSettings(payload: Uint8Array): void {
    const view = new DataView(payload.buffer, payload.byteOffset, payload.length);
    for (let i = 0; i + 6 <= payload.length; i += 6) {
      if (view.getUint16(i) === SETTINGS_INITIAL_WINDOW_SIZE) {
        this.#streamSendWindow = view.getUint32(i + 2);
      }
    }
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
