import { Buffer } from "node:buffer";
import { EventEmitter } from "node:events";
import { setImmediate } from "node:timers";
import type { TLSSocket } from "node:tls";
import { assert, assertEquals } from "../../../tests/helpers/assert.ts";
import {
  Http2ServerConnection,
  type Http2ServerStream,
  MAX_CONCURRENT_STREAMS,
} from "./connection.ts";
import { HpackDecoder } from "./hpack.ts";

// A socket that keeps what the server writes, and a client that speaks raw frames to it.

const PREFACE = new TextEncoder().encode("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
const DATA = 0, HEADERS = 1, RST_STREAM = 3, SETTINGS = 4, PING = 6, GOAWAY = 7;
const WINDOW_UPDATE = 8, CONTINUATION = 9;
const END_STREAM = 1, END_HEADERS = 4, PADDED = 8;

class FakeSocket extends EventEmitter {
  readonly written: Uint8Array[] = [];
  ended = false;
  destroyed = false;
  /** Set to make writes report a full buffer, as a client that does not read causes. */
  full = false;
  write(bytes: Uint8Array): boolean {
    this.written.push(bytes);
    return !this.full;
  }
  end(): void {
    this.ended = true;
    this.emit("close");
  }
  destroy(): void {
    this.destroyed = true;
  }
}

interface Frame {
  type: number;
  flags: number;
  id: number;
  payload: Uint8Array;
}

function frame(
  type: number,
  flags: number,
  id: number,
  payload: ArrayLike<number> = [],
): Uint8Array {
  const out = new Uint8Array(9 + payload.length);
  out.set([payload.length >> 16, (payload.length >> 8) & 255, payload.length & 255, type, flags]);
  new DataView(out.buffer).setUint32(5, id);
  out.set(payload, 9);
  return out;
}

const u32 = (value: number) => [value >>> 24, (value >> 16) & 255, (value >> 8) & 255, value & 255];

/** A request's header block: literals without indexing, plain strings. */
function requestBlock(method: string, path: string, extra: [string, string][] = []): number[] {
  const out: number[] = [];
  for (
    const [name, value] of [[":method", method], [":scheme", "https"], [":path", path], [
      ":authority",
      "k3ts:6443",
    ], ...extra]
  ) {
    out.push(
      0x00,
      name.length,
      ...new TextEncoder().encode(name),
      value.length,
      ...new TextEncoder().encode(value),
    );
  }
  return out;
}

class Client {
  readonly socket = new FakeSocket();
  readonly streams: Http2ServerStream[] = [];
  readonly connection: Http2ServerConnection;
  readonly #decoder = new HpackDecoder(1 << 20);
  #read = 0;

  constructor(
    settings: [number, number][] = [],
    maxBodyBytes = 1 << 20,
    handler: (stream: Http2ServerStream) => Promise<void> | void = () => {},
  ) {
    this.connection = new Http2ServerConnection(this.socket as unknown as TLSSocket, {
      maxBodyBytes,
      onStream: (stream) => {
        this.streams.push(stream);
        return handler(stream);
      },
    });
    this.send(
      PREFACE,
      frame(SETTINGS, 0, 0, settings.flatMap(([id, value]) => [id >> 8, id & 255, ...u32(value)])),
    );
  }

  send(...chunks: Uint8Array[]): void {
    for (const chunk of chunks) this.socket.emit("data", chunk);
  }

  /** The frames the server wrote since the last call, once its turn's writes are flushed. */
  async frames(): Promise<Frame[]> {
    await new Promise((resolve) => setImmediate(resolve));
    const bytes = concat(this.socket.written.slice(this.#read));
    this.#read = this.socket.written.length;
    const frames: Frame[] = [];
    for (let at = 0; at < bytes.length;) {
      const length = (bytes[at] << 16) | (bytes[at + 1] << 8) | bytes[at + 2];
      const id = new DataView(bytes.buffer, bytes.byteOffset + at + 5, 4).getUint32(0);
      frames.push({
        type: bytes[at + 3],
        flags: bytes[at + 4],
        id,
        payload: bytes.slice(at + 9, at + 9 + length),
      });
      at += 9 + length;
    }
    return frames;
  }

  headers(payload: Uint8Array): string[] {
    return this.#decoder.decode(payload);
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const kinds = (frames: Frame[]) => frames.map((f) => `${f.type}/${f.flags}/${f.id}`);

Deno.test("http2 connection: settings, a GET and its answer in HEADERS and DATA", async () => {
  const client = new Client();
  const opening = await client.frames();
  assertEquals(kinds(opening), ["4/0/0", "8/0/0", "4/1/0"]); // SETTINGS, WINDOW_UPDATE, ACK
  client.send(
    frame(
      HEADERS,
      END_HEADERS | END_STREAM,
      1,
      requestBlock("GET", "/api/v1/pods?limit=2", [["accept", "a"], ["accept", "b"]]),
    ),
  );
  const [stream] = client.streams;
  assertEquals([stream.method, stream.url, { ...stream.headers }], [
    "GET",
    "https://k3ts:6443/api/v1/pods?limit=2",
    { accept: "a, b" },
  ]);
  assertEquals(await stream.readBody(), new Uint8Array());
  let closed = false;
  stream.onClose(() => closed = true);
  stream.respond(200, { "content-type": "application/json" }, new TextEncoder().encode("{}"));
  const answer = await client.frames();
  assertEquals(kinds(answer), ["1/4/1", "0/1/1"]);
  assertEquals(client.headers(answer[0].payload), [
    ":status",
    "200",
    "content-type",
    "application/json",
  ]);
  assertEquals(text(answer[1].payload), "{}");
  assert(closed && stream.ended() && client.connection.openStreams === 0);
});

Deno.test("http2 connection: a body in padded DATA frames, and one over the limit", async () => {
  const client = new Client([], 10);
  client.send(frame(HEADERS, END_HEADERS, 1, requestBlock("POST", "/a")));
  client.send(frame(DATA, PADDED, 1, [3, ...new TextEncoder().encode("abc"), 0, 0, 0]));
  client.send(frame(DATA, END_STREAM, 1, new TextEncoder().encode("de")));
  assertEquals(text(await client.streams[0].readBody() as Uint8Array), "abcde");

  client.send(frame(HEADERS, END_HEADERS, 3, requestBlock("POST", "/b")));
  const large = client.streams[1];
  const body = large.readBody();
  client.send(frame(DATA, 0, 3, new Uint8Array(11)));
  assertEquals(await body, "too-large");
  await client.frames();
  large.respond(413, {}, new TextEncoder().encode("{}"));
  // The answer, then a reset with NO_ERROR: the client may stop sending the rest.
  const frames = await client.frames();
  assertEquals(kinds(frames), ["1/4/3", "0/1/3", "3/0/3"]);
  assertEquals([...frames[2].payload], u32(0));
});

Deno.test("http2 connection: a body nobody asked for keeps its window until read or answered", async () => {
  const client = new Client([], 4 << 20);
  await client.frames();
  const chunk = new Uint8Array(16_384);
  const sendBody = (id: number) => {
    client.send(frame(HEADERS, END_HEADERS, id, requestBlock("POST", "/api")));
    for (let i = 0; i < 40; i++) client.send(frame(DATA, 0, id, chunk));
  };
  const held = 40 * chunk.length; // past half the 1 MiB stream window
  const windowUpdates = (frames: Frame[]) =>
    frames.filter((f) => f.type === WINDOW_UPDATE).map((f) => [f.id, ...f.payload]);

  sendBody(1);
  assertEquals(windowUpdates(await client.frames()), []);
  void client.streams[0].readBody();
  assertEquals(windowUpdates(await client.frames()), [[1, ...u32(held)]]);

  // Thirteen requests answered unread (as a 401 is): their bytes hold the connection's window
  // until then, and are given back with the answers, once half the 16 MiB window is owed: the
  // read body's and twelve answered ones' (the thirteenth waits for the next).
  for (let id = 3; id <= 27; id += 2) sendBody(id);
  assertEquals(windowUpdates(await client.frames()), []);
  for (const stream of client.streams.slice(1)) stream.respond(401, {});
  assertEquals(windowUpdates(await client.frames()), [[0, ...u32(13 * held)]]);
});

Deno.test("http2 connection: DATA past a stream's or the connection's window ends the connection", async () => {
  const chunk = new Uint8Array(16_384);
  const stream = new Client([], 4 << 20);
  stream.send(frame(HEADERS, END_HEADERS, 1, requestBlock("POST", "/api")));
  for (let i = 0; i < 64; i++) stream.send(frame(DATA, 0, 1, chunk)); // exactly the 1 MiB window
  assertEquals(goawayCode(await stream.frames()), undefined);
  stream.send(frame(DATA, 0, 1, [1]));
  assertEquals(goawayCode(await stream.frames()), 0x3); // FLOW_CONTROL_ERROR

  // Sixteen streams fill the 16 MiB connection window; a seventeenth's first octet is too many.
  const connection = new Client([], 4 << 20);
  for (let id = 1; id <= 33; id += 2) {
    connection.send(frame(HEADERS, END_HEADERS, id, requestBlock("POST", "/api")));
    for (let i = 0; i < (id === 33 ? 0 : 64); i++) connection.send(frame(DATA, 0, id, chunk));
  }
  assertEquals(goawayCode(await connection.frames()), undefined);
  connection.send(frame(DATA, 0, 33, [1]));
  assertEquals(goawayCode(await connection.frames()), 0x3);
});

Deno.test("http2 connection: shutdown sends GOAWAY with NO_ERROR and the last stream, then ends", async () => {
  const client = new Client();
  client.send(frame(HEADERS, END_HEADERS | END_STREAM, 1, requestBlock("GET", "/watch")));
  client.streams[0].startStream(200, {});
  await client.frames();
  client.connection.shutdown(0);
  const frames = client.socket.written.length;
  assert(client.socket.ended);
  const goaway = concat(client.socket.written.slice(frames - 1));
  assertEquals(goaway[3], GOAWAY);
  assertEquals([...goaway.subarray(9, 17)], [...u32(1), ...u32(0)]);
});

Deno.test("http2 connection: malformed requests are reset with PROTOCOL_ERROR, the connection goes on", async () => {
  const client = new Client([], 1 << 20);
  await client.frames();
  const cases: [number, string, [string, string][], number[][]][] = [
    [1, "an uppercase name", [["Accept", "*/*"]], []],
    [3, "a connection-specific header", [["connection", "keep-alive"]], []],
    [5, "te other than trailers", [["te", "gzip"]], []],
    [7, "a pseudo-header after a regular one", [["accept", "*/*"], [":scheme", "https"]], []],
    [9, "an unknown pseudo-header", [[":protocol", "websocket"]], []],
    [11, "a body shorter than its content-length", [["content-length", "5"]], [[1, 97, 98]]],
    [13, "a body longer than its content-length", [["content-length", "1"]], [[0, 97, 98]]],
    [15, "a content-length that is not a number", [["content-length", "-1"]], [[1]]],
  ];
  for (const [id, what, extra, data] of cases) {
    client.send(frame(HEADERS, END_HEADERS, id, requestBlock("POST", "/api", extra)));
    for (const [flags, ...bytes] of data) client.send(frame(DATA, flags, id, bytes));
    const frames = await client.frames();
    assertEquals(kinds(frames), [`3/0/${id}`], what);
    assertEquals([...frames[0].payload], u32(1), what);
  }
  // A body that matches its content-length is a request like any other.
  client.send(
    frame(HEADERS, END_HEADERS, 17, requestBlock("POST", "/api", [["content-length", "2"]])),
  );
  client.send(frame(DATA, END_STREAM, 17, [97, 98]));
  const accepted = client.streams.at(-1)!;
  assertEquals(accepted.id, 17);
  assertEquals(text(await accepted.readBody() as Uint8Array), "ab");
  assertEquals(goawayCode(await client.frames()), undefined);
});

Deno.test("http2 connection: a response waits for the client's window, and writes wait for it", async () => {
  const client = new Client([[4, 10]]); // INITIAL_WINDOW_SIZE 10
  await client.frames();
  client.send(frame(HEADERS, END_HEADERS | END_STREAM, 1, requestBlock("GET", "/watch")));
  const stream = client.streams[0];
  stream.startStream(200, {});
  assert(stream.write(new Uint8Array(25).fill(1)));
  let frames = await client.frames();
  assertEquals(kinds(frames), ["1/4/1", "0/0/1"]);
  assertEquals(frames[1].payload.length, 10);
  // Past the high-water mark, write asks to wait; drained settles as the window opens.
  assertEquals(stream.write(new Uint8Array(70_000)), false);
  let drained = false;
  const waiting = stream.drained().then(() => drained = true);
  client.send(frame(WINDOW_UPDATE, 0, 1, u32(20)));
  frames = await client.frames();
  // The rest of the first write, then the start of the second.
  assertEquals(frames.map((f) => f.payload.length), [15, 5]);
  assert(!drained);
  client.send(frame(WINDOW_UPDATE, 0, 1, u32(100_000)));
  stream.end();
  frames = await client.frames();
  await waiting;
  // 70,000 - 5 more octets are left of the connection's first 65,535 window.
  const sent = frames.reduce((sum, f) => sum + f.payload.length, 0);
  assertEquals(sent, 65_535 - 30);
  assert(frames.every((f) => f.payload.length <= 16_384 && !(f.flags & END_STREAM)));
  client.send(frame(WINDOW_UPDATE, 0, 0, u32(100_000)));
  frames = await client.frames();
  assertEquals(frames.at(-1)!.flags & END_STREAM, END_STREAM);
  assertEquals(
    frames.reduce((sum, f) => sum + f.payload.length, 0),
    70_025 - 10 - 20 - (65_535 - 30),
  );
});

Deno.test("http2 connection: a client's reset closes the stream and later writes are dropped", async () => {
  const client = new Client();
  client.send(frame(HEADERS, END_HEADERS | END_STREAM, 1, requestBlock("GET", "/watch")));
  const stream = client.streams[0];
  stream.startStream(200, {});
  let closed = 0;
  stream.onClose(() => closed++);
  await client.frames();
  client.send(frame(RST_STREAM, 0, 1, u32(8)));
  assertEquals(closed, 1);
  assert(stream.write(new Uint8Array(5)));
  stream.end();
  assertEquals(await client.frames(), []);
  assert(!stream.ended(), "the client ended it, not this side");
});

Deno.test("http2 connection: PING is answered, a header block may span CONTINUATION frames", async () => {
  const client = new Client();
  await client.frames();
  client.send(frame(PING, 0, 0, [1, 2, 3, 4, 5, 6, 7, 8]));
  const [pong] = await client.frames();
  assertEquals([pong.type, pong.flags, [...pong.payload]], [PING, 1, [1, 2, 3, 4, 5, 6, 7, 8]]);
  const block = requestBlock("GET", "/version");
  client.send(
    frame(HEADERS, END_STREAM, 1, block.slice(0, 5)),
    frame(CONTINUATION, 0, 1, block.slice(5, 20)),
  );
  assertEquals(client.streams.length, 0);
  client.send(frame(CONTINUATION, END_HEADERS, 1, block.slice(20)));
  assertEquals(client.streams[0].url, "https://k3ts:6443/version");
});

Deno.test("http2 connection: protocol errors end the connection with GOAWAY", () => {
  const cases: [string, Uint8Array[], number][] = [
    ["no preface", [new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n")], 1],
    ["a frame between HEADERS and CONTINUATION", [
      frame(HEADERS, 0, 1, [0x82]),
      frame(PING, 0, 0, new Uint8Array(8)),
    ], 1],
    ["an even stream id", [frame(HEADERS, END_HEADERS, 2, requestBlock("GET", "/"))], 1],
    ["a bad header block", [frame(HEADERS, END_HEADERS, 1, [0x80])], 9],
    ["an oversized frame", [frame(DATA, 0, 1, new Uint8Array(16_385))], 6],
  ];
  for (const [name, chunks, code] of cases) {
    const socket = new FakeSocket();
    new Http2ServerConnection(socket as unknown as TLSSocket, { maxBodyBytes: 100, onStream() {} });
    const [first, ...rest] = chunks;
    socket.emit(
      "data",
      name === "no preface" ? first : concat([PREFACE, frame(SETTINGS, 0, 0), first]),
    );
    for (const chunk of rest) socket.emit("data", chunk);
    const written = concat(socket.written);
    // The GOAWAY is the last frame: 17 octets of frame and codes, then the debug text.
    let at = 0, goaway: Frame | undefined;
    while (at < written.length) {
      const length = (written[at] << 16) | (written[at + 1] << 8) | written[at + 2];
      if (written[at + 3] === GOAWAY) {
        goaway = { type: GOAWAY, flags: 0, id: 0, payload: written.slice(at + 9, at + 9 + length) };
      }
      at += 9 + length;
    }
    assert(goaway, `${name}: no GOAWAY`);
    assertEquals(new DataView(goaway.payload.buffer).getUint32(4), code, name);
    assert(socket.ended, `${name}: the socket is still open`);
  }
});

Deno.test("http2 connection: after the client's GOAWAY, the socket ends once the last stream is answered", () => {
  const client = new Client();
  client.send(frame(HEADERS, END_HEADERS | END_STREAM, 1, requestBlock("GET", "/a")));
  client.send(frame(GOAWAY, 0, 0, [...u32(1), ...u32(0)]));
  assert(!client.socket.ended);
  client.streams[0].respond(200, {}, new Uint8Array(1));
  assert(client.socket.ended);
});

Deno.test("http2 connection: streams beyond the limit are refused", async () => {
  const client = new Client();
  await client.frames();
  for (let i = 0; i <= MAX_CONCURRENT_STREAMS; i++) {
    client.send(frame(HEADERS, END_HEADERS | END_STREAM, 2 * i + 1, requestBlock("GET", "/")));
  }
  assertEquals(client.streams.length, MAX_CONCURRENT_STREAMS);
  const [refused] = await client.frames();
  assertEquals([refused.type, refused.id, [...refused.payload]], [
    RST_STREAM,
    2 * MAX_CONCURRENT_STREAMS + 1,
    u32(7),
  ]);
});

/** The code of the GOAWAY among `frames`, if there is one. */
function goawayCode(frames: Frame[]): number | undefined {
  const goaway = frames.find((f) => f.type === GOAWAY);
  return goaway && new DataView(goaway.payload.buffer).getUint32(4);
}

Deno.test("http2 connection: a flood of empty CONTINUATION frames ends the connection", async () => {
  const client = new Client();
  await client.frames();
  client.send(frame(HEADERS, 0, 1, requestBlock("GET", "/")));
  client.send(concat(Array.from({ length: 200 }, () => frame(CONTINUATION, 0, 1))));
  assertEquals(goawayCode(await client.frames()), 0xb); // ENHANCE_YOUR_CALM
  assert(client.socket.ended);
});

Deno.test("http2 connection: more than 100 SETTINGS frames end the connection", async () => {
  const client = new Client();
  client.send(concat(Array.from({ length: 100 }, () => frame(SETTINGS, 0, 0))));
  assertEquals(goawayCode(await client.frames()), 0xb);
});

Deno.test("http2 connection: a body is copied out of the socket's buffers", async () => {
  const client = new Client();
  client.send(frame(HEADERS, END_HEADERS, 1, requestBlock("POST", "/")));
  // Buffer#slice returns a view; the body must not change when the read buffer does.
  const chunk = Buffer.from(frame(DATA, END_STREAM, 1, new TextEncoder().encode("kept")));
  client.send(chunk);
  chunk.fill(0);
  assertEquals(text(await client.streams[0].readBody() as Uint8Array), "kept");
});

Deno.test("http2 connection: a client that sends PINGs and does not read is cut off", async () => {
  const client = new Client();
  await client.frames();
  const ping = frame(PING, 0, 0, new Uint8Array(8));
  const pings = concat(Array.from({ length: 5_000 }, () => ping));
  // The first write that finds the socket full marks the client as not reading.
  client.socket.full = true;
  client.send(ping);
  await client.frames();
  client.send(pings);
  assertEquals(goawayCode(await client.frames()), undefined);
  // Once the socket drains, the count starts again: 10,000 more answers may be owed.
  client.socket.emit("drain");
  client.send(ping);
  await client.frames();
  client.send(pings, pings);
  assertEquals(goawayCode(await client.frames()), undefined);
  client.send(ping);
  assertEquals(goawayCode(await client.frames()), 0xb);
  assert(client.socket.ended);
});

Deno.test("http2 connection: a HEAD's streamed answer ends with its headers", async () => {
  const client = new Client();
  await client.frames();
  client.send(
    frame(HEADERS, END_HEADERS | END_STREAM, 1, requestBlock("HEAD", "/api/v1/pods?watch=1")),
  );
  const stream = client.streams[0];
  stream.startStream(200, {});
  assert(stream.write(new Uint8Array(10)));
  stream.end();
  assertEquals(kinds(await client.frames()), ["1/5/1"]); // HEADERS with END_STREAM, no DATA
  assert(stream.ended(), "this side ended it: the handler is not aborted");
});

Deno.test("http2 connection: trailers on a stream this side reset are ignored", async () => {
  const client = new Client([], 4);
  client.send(frame(HEADERS, END_HEADERS, 1, requestBlock("POST", "/")));
  client.send(frame(DATA, 0, 1, new Uint8Array(5)));
  assertEquals(await client.streams[0].readBody(), "too-large");
  client.streams[0].respond(413, {}, new Uint8Array(1));
  await client.frames();
  client.send(frame(HEADERS, END_HEADERS | END_STREAM, 1, requestBlock("POST", "/trailer")));
  client.send(frame(HEADERS, END_HEADERS | END_STREAM, 3, requestBlock("GET", "/next")));
  assertEquals(client.streams.map((s) => s.url), ["https://k3ts:6443/", "https://k3ts:6443/next"]);
  assertEquals(goawayCode(await client.frames()), undefined);
});

Deno.test("http2 connection: reset streams count against the limit until their handlers finish", async () => {
  let finish = () => {};
  const handlers = new Promise<void>((resolve) => finish = resolve);
  const client = new Client([], 100, () => handlers);
  await client.frames();
  for (let i = 0; i < MAX_CONCURRENT_STREAMS; i++) {
    client.send(
      frame(HEADERS, END_HEADERS | END_STREAM, 2 * i + 1, requestBlock("GET", "/")),
      frame(RST_STREAM, 0, 2 * i + 1, u32(8)),
    );
  }
  assertEquals(client.connection.openStreams, 0);
  const next = 2 * MAX_CONCURRENT_STREAMS + 1;
  client.send(frame(HEADERS, END_HEADERS | END_STREAM, next, requestBlock("GET", "/")));
  const [refused] = await client.frames();
  assertEquals([refused.type, refused.id, [...refused.payload]], [RST_STREAM, next, u32(7)]);
  finish();
  await handlers;
  await client.frames();
  client.send(frame(HEADERS, END_HEADERS | END_STREAM, next + 2, requestBlock("GET", "/")));
  assertEquals(client.streams.at(-1)!.id, next + 2);
});

Deno.test("http2 connection: a reset of a stream never opened is a protocol error", async () => {
  const client = new Client();
  client.send(frame(RST_STREAM, 0, 5, u32(8)));
  assertEquals(goawayCode(await client.frames()), 1);
});
