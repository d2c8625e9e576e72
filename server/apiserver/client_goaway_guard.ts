/**
 * Keeps a client's GOAWAY frame away from Deno's HTTP/2 server, which it can crash.
 *
 * Deno 2.9.5's `node:http2` runs nghttp2. Once more than SETTINGS_MAX_CONCURRENT_STREAMS streams
 * (100 by default) have been closed on a connection (the number of closed streams nghttp2 keeps
 * for priorities; moving the setting moved the threshold), a GOAWAY received aborts the whole
 * process: `find_stream_on_goaway_func: Assertion 'stream->closed_next == NULL' failed`, or
 * `free(): invalid pointer`. A `fetch` client closed after 101 to 320 GETs brought the API server
 * down (after 320: in 14 of 16 tries). Sending GOAWAY ourselves, or a client closing the TCP
 * connection, does not trip it.
 *
 * A client's GOAWAY tells a server without server push nothing it needs but this: the client
 * opens no new streams. So the frame is cut out of the bytes before the HTTP/2 session reads
 * them, and the session is closed from our side instead ({@link closeSessionOnClientGoaway}):
 * our own GOAWAY, then the end of the connection once the open streams are done. Every other
 * byte passes through unchanged (the same chunk object, unless a GOAWAY or a frame header split
 * across chunks made a copy necessary).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { ServerHttp2Session } from "node:http2";
import type { TLSSocket } from "node:tls";
import { setImmediate } from "node:timers";

/** The client connection preface, which precedes the first frame. */
const PREFACE_LENGTH = 24;
const FRAME_HEADER_LENGTH = 9;
const GOAWAY = 0x7;

/** Where a guarded connection's socket keeps what to do when a GOAWAY was cut out. */
const GOAWAY_HOOK = Symbol("k3ts.clientGoawayHook");

interface GoawayHook {
  onGoaway?: () => void;
}

/**
 * Follows the frames of one HTTP/2 connection's incoming bytes and removes GOAWAY frames.
 * Only frame headers are read; payloads are skipped by length.
 */
export class GoawayStripper {
  /** Bytes of the preface still to skip. */
  #preface = PREFACE_LENGTH;
  /** Payload bytes of the current frame still to pass (or drop). */
  #payloadLeft = 0;
  /** Whether the current frame's payload is dropped (a GOAWAY's). */
  #dropping = false;
  /** The start of a frame header that ended a chunk, held until the rest arrives. */
  #held: Uint8Array | undefined;
  /** GOAWAY frames removed so far. */
  stripped = 0;

  /**
   * Takes the next chunk read from the connection.
   * @returns the bytes to hand on (possibly empty), `chunk` itself when nothing changed.
   */
  push(chunk: Uint8Array): Uint8Array {
    let bytes = chunk;
    if (this.#held) {
      bytes = new Uint8Array(this.#held.length + chunk.length);
      bytes.set(this.#held);
      bytes.set(chunk, this.#held.length);
      this.#held = undefined;
    }
    // Ranges [start, end) of `bytes` to keep; one range covering everything means "unchanged".
    const kept: number[] = [];
    let keepFrom = 0;
    let at = 0;
    while (at < bytes.length) {
      if (this.#preface > 0) {
        const n = Math.min(this.#preface, bytes.length - at);
        this.#preface -= n;
        at += n;
      } else if (this.#payloadLeft > 0) {
        const n = Math.min(this.#payloadLeft, bytes.length - at);
        this.#payloadLeft -= n;
        at += n;
        if (this.#dropping) keepFrom = at;
      } else if (bytes.length - at < FRAME_HEADER_LENGTH) {
        this.#held = bytes.slice(at);
        break;
      } else {
        const length = (bytes[at] << 16) | (bytes[at + 1] << 8) | bytes[at + 2];
        this.#dropping = bytes[at + 3] === GOAWAY;
        if (this.#dropping) {
          this.stripped++;
          if (at > keepFrom) kept.push(keepFrom, at);
          keepFrom = at + FRAME_HEADER_LENGTH;
        }
        at += FRAME_HEADER_LENGTH;
        this.#payloadLeft = length;
      }
      if (this.#dropping && this.#payloadLeft === 0) this.#dropping = false;
    }
    const end = this.#held ? bytes.length - this.#held.length : bytes.length;
    if (end > keepFrom) kept.push(keepFrom, end);
    if (kept.length === 2 && kept[0] === 0 && kept[1] === bytes.length) return bytes;
    let total = 0;
    for (let i = 0; i < kept.length; i += 2) total += kept[i + 1] - kept[i];
    const out = new Uint8Array(total);
    let offset = 0;
    for (let i = 0; i < kept.length; i += 2) {
      out.set(bytes.subarray(kept[i], kept[i + 1]), offset);
      offset += kept[i + 1] - kept[i];
    }
    return out;
  }
}

/**
 * Strips GOAWAY frames from what an HTTP/2 connection's session reads. Call it from the
 * server's `secureConnection` event before the session reads (a prepended listener); HTTP/1.1
 * connections are left alone.
 */
export function guardAgainstClientGoaway(socket: TLSSocket): void {
  if (socket.alpnProtocol !== "h2") return;
  const stripper = new GoawayStripper();
  const hook: GoawayHook = {};
  (socket as unknown as Record<symbol, GoawayHook>)[GOAWAY_HOOK] = hook;
  /** `emit` without its per-event overloads, to call with any event. */
  type Emit = (this: TLSSocket, event: string | symbol, ...args: unknown[]) => boolean;
  const emit = socket.emit as Emit;
  // The session reads the socket through its "data" events (Deno's http2.ts `socketOnData`).
  const guarded: Emit = function (this, event, ...args) {
    if (event !== "data" || !(args[0] instanceof Uint8Array)) {
      return emit.call(this, event, ...args);
    }
    const stripped = stripper.stripped;
    const bytes = stripper.push(args[0]);
    // Not from inside the session's read: its own GOAWAY goes out on the next turn.
    if (stripper.stripped > stripped && hook.onGoaway) setImmediate(hook.onGoaway);
    if (bytes === args[0]) return emit.call(this, event, ...args);
    if (bytes.length === 0) return true;
    return emit.call(this, event, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
  };
  socket.emit = guarded as typeof socket.emit;
}

/**
 * Closes `session` (gracefully: open streams finish) when its client sends GOAWAY. Call it from
 * the server's `session` event; sessions over unguarded connections are left alone.
 */
export function closeSessionOnClientGoaway(session: ServerHttp2Session): void {
  // `session.socket` is Node's proxy of the connection: reads of other properties pass through.
  const hook = (session.socket as unknown as Record<symbol, GoawayHook | undefined>)[GOAWAY_HOOK];
  if (hook) hook.onGoaway = () => session.close();
}
