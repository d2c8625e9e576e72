/**
 * The TLS listener: one port, HTTP/2 for ordinary calls and HTTP/1.1 for clients that do not
 * negotiate it (and, later, upgrades). `node:http2` is used because `Deno.serve` cannot ask for
 * client certificates (see platform-notes). It authenticates the client certificate and hands a
 * {@link ListenerRequest} to the {@link ApiHandler}.
 *
 * HTTP/2 streams are served through the core `stream` API, not the `request`/`response`
 * compatibility objects: those wrap every stream in two more Node streams, which cost about a
 * tenth of the server's time per request. HTTP/1.1 requests keep Node's `request` event.
 *
 * @module
 */
import { closeSessionOnClientGoaway, guardAgainstClientGoaway } from "./client_goaway_guard.ts";
import http2 from "node:http2";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { setImmediate } from "node:timers";
import type { TLSSocket } from "node:tls";
import type { ApiHandler } from "./handler.ts";
import { errorResponse, isStreamingResponse, MAX_BODY_BYTES, responseText } from "./http_io.ts";
import {
  type ApiRequest,
  type HeaderRecord,
  ListenerRequest,
  normalizeMethod,
} from "./api_request.ts";
import type { RequestUser } from "./store_types.ts";
import { wantsImpersonation } from "./impersonation.ts";
import { ApiError } from "../../kube/errors.ts";
import { verifyClientCertificate } from "../tls/verify.ts";

/** Options of {@link startHttpsServer}. */
export interface HttpsServerOptions {
  host: string;
  port: number;
  certPem: string;
  keyPem: string;
  /** Client certificates must chain to this CA. */
  clientCaPem: string;
  handler: ApiHandler;
  /**
   * Authenticates what the certificate does not (bearer tokens): undefined when the request
   * presents no credential (anonymous), an error when it presents a bad one (401).
   */
  authenticateRequest?: (request: ApiRequest) => Promise<Authentication | undefined>;
  /**
   * The identity to serve an authenticated request as when it carries `Impersonate-*` headers
   * (see impersonation.ts); throws the ApiError to answer instead.
   */
  impersonate?: (headers: HeaderRecord, caller: RequestUser) => RequestUser;
}

/** The outcome of checking a presented credential. */
export type Authentication = { user: RequestUser } | { error: string };

/** A running listener. */
export interface HttpsServer {
  /** The bound port (useful with port 0). */
  port: number;
  /** Requests received so far (a measure of activity). */
  requests(): number;
  /** Stops accepting and closes open connections. */
  close(): Promise<void>;
}

/** What a request body and a response need of either protocol. */
interface Exchange {
  method: string;
  /** `https://<authority><path>`. */
  url: string;
  headers: IncomingHttpHeaders;
  socket: TLSSocket | undefined;
  /** The request body: `data` chunks, then `end` (or `error`). */
  body: NodeJS.ReadableStream;
  headersSent(): boolean;
  /** Whether the response was ended by this side (as opposed to the client going away). */
  ended(): boolean;
  /** Sends the status and headers, then the whole body, if any, and ends the response. */
  respond(status: number, headers: Record<string, string>, body?: Uint8Array): void;
  /** Sends the status and headers of a body that follows in {@link write}s. */
  startStream(status: number, headers: Record<string, string>): void;
  /** @returns false when the caller should wait for {@link drained}. */
  write(chunk: Uint8Array): boolean;
  drained(): Promise<void>;
  end(): void;
  onClose(listener: () => void): void;
}

/** A reset or broken stream must not take the process down as an unhandled 'error' event. */
function ignoreStreamError(): void {}

/**
 * An HTTP/2 stream as an {@link Exchange}. A class, not an object of closures: one is made per
 * request, and its methods are shared.
 */
class Http2Exchange implements Exchange {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly socket: TLSSocket | undefined;
  readonly #stream: http2.ServerHttp2Stream;

  constructor(stream: http2.ServerHttp2Stream, headers: IncomingHttpHeaders) {
    stream.on("error", ignoreStreamError);
    this.#stream = stream;
    this.method = (headers[":method"] as string | undefined) ?? "GET";
    this.url = `https://${
      (headers[":authority"] as string | undefined) ?? headers.host ?? "localhost"
    }${headers[":path"] ?? "/"}`;
    this.headers = headers;
    this.socket = stream.session?.socket as TLSSocket | undefined;
  }

  get body(): NodeJS.ReadableStream {
    return this.#stream;
  }

  headersSent(): boolean {
    return this.#stream.headersSent;
  }

  ended(): boolean {
    return this.#stream.writableEnded;
  }

  respond(status: number, responseHeaders: Record<string, string>, body?: Uint8Array): void {
    const stream = this.#stream;
    if (stream.destroyed || stream.closed) return;
    // HEADERS, DATA and the end of the stream in one TLS record (three sendto calls before).
    corkUntilNextTurn(this.socket);
    stream.respond({ ...responseHeaders, ":status": status }, { endStream: !body });
    // A HEAD request's stream is ended by respond() itself.
    if (body && !stream.writableEnded) stream.end(body);
  }

  startStream(status: number, responseHeaders: Record<string, string>): void {
    const stream = this.#stream;
    if (stream.destroyed || stream.closed) return;
    stream.respond({ ...responseHeaders, ":status": status });
  }

  write(chunk: Uint8Array): boolean {
    const stream = this.#stream;
    return stream.destroyed || stream.closed ? true : stream.write(chunk);
  }

  drained(): Promise<void> {
    return drainedOrClosed(this.#stream);
  }

  end(): void {
    const stream = this.#stream;
    if (!stream.destroyed && !stream.closed && !stream.writableEnded) stream.end();
  }

  onClose(listener: () => void): void {
    this.#stream.once("close", listener);
  }
}

function http1Exchange(req: IncomingMessage, res: ServerResponse): Exchange {
  return {
    method: req.method ?? "GET",
    url: `https://${req.headers.host ?? "localhost"}${req.url ?? "/"}`,
    headers: req.headers,
    socket: req.socket as TLSSocket,
    body: req,
    headersSent: () => res.headersSent,
    ended: () => res.writableEnded,
    respond(status, headers, body) {
      res.writeHead(status, headers);
      res.end(body);
    },
    startStream(status, headers) {
      res.writeHead(status, headers);
      res.flushHeaders();
    },
    write: (chunk) => res.write(chunk),
    drained: () => drainedOrClosed(res),
    end: () => res.end(),
    onClose: (listener) => res.once("close", listener),
  };
}

function drainedOrClosed(stream: NodeJS.EventEmitter): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off("drain", done);
      stream.off("close", done);
      resolve();
    };
    stream.once("drain", done);
    stream.once("close", done);
  });
}

/** The user a verified client certificate names (CN = user, O = groups), cached per connection. */
const certUsers = new WeakMap<object, RequestUser | null>();

/**
 * The TLS layer verified the chain (`socket.authorized`); the names are then read from the
 * certificate bytes, because the subject string Node builds does not escape newlines (a CN of
 * `x\nO=system:masters` would read as a group).
 */
function certificateUser(socket: TLSSocket | undefined, clientCaPem: string) {
  if (!socket) return undefined;
  const cached = certUsers.get(socket);
  if (cached !== undefined) return cached ?? undefined;
  let user: RequestUser | null = null;
  if (socket.authorized) {
    const raw = socket.getPeerCertificate()?.raw;
    const identity = raw ? verifyClientCertificate(new Uint8Array(raw), clientCaPem) : null;
    if (identity) {
      user = { name: identity.user, groups: [...identity.groups, "system:authenticated"] };
    }
  }
  certUsers.set(socket, user);
  return user ?? undefined;
}

/** Request headers without HTTP/2 pseudo-headers; repeated ones joined as `Headers` joins them. */
function toHeaders(incoming: IncomingHttpHeaders): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name in incoming) {
    const value = incoming[name];
    if (name[0] === ":" || value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

function readAll(body: NodeJS.ReadableStream): Promise<Uint8Array | "too-large"> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let total = 0;
    body.on("data", (chunk: Uint8Array) => {
      total += chunk.byteLength;
      if (total > MAX_BODY_BYTES) {
        resolve("too-large");
        return;
      }
      chunks.push(chunk);
    });
    body.on("end", () => {
      if (total > MAX_BODY_BYTES) return;
      if (chunks.length === 1) resolve(chunks[0]);
      else {
        const out = new Uint8Array(total);
        let offset = 0;
        for (const c of chunks) {
          out.set(c, offset);
          offset += c.byteLength;
        }
        resolve(out);
      }
    });
    body.on("error", reject);
  });
}

const encoder = new TextEncoder();

/** Connections whose socket is corked until the next turn of the event loop. */
const corked = new WeakSet<object>();

/**
 * Holds a connection's outgoing bytes until the current turn of the event loop is over, so the
 * frames written for one answer, or for many streams (one event to a hundred watchers), leave in
 * one TLS write instead of one each.
 */
function corkUntilNextTurn(socket: TLSSocket | undefined): void {
  if (!socket || corked.has(socket) || socket.destroyed) return;
  corked.add(socket);
  socket.cork();
  setImmediate(() => {
    corked.delete(socket);
    try {
      socket.uncork();
    } catch {
      // The session was destroyed meanwhile (its socket proxy throws): nothing is left to send.
    }
  });
}

async function writeResponse(exchange: Exchange, response: Response): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const text = responseText(response);
  if (text !== undefined) {
    const bytes = encoder.encode(text);
    headers["content-length"] = String(bytes.byteLength);
    exchange.respond(response.status, headers, bytes);
    return;
  }
  if (!response.body) {
    exchange.respond(response.status, headers);
    return;
  }
  if (!isStreamingResponse(response)) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    headers["content-length"] = String(bytes.byteLength);
    exchange.respond(response.status, headers, bytes);
    return;
  }
  exchange.startStream(response.status, headers);
  const reader = response.body.getReader();
  // A client that goes away ends the stream: cancelling the reader settles a pending read.
  let closed = false;
  exchange.onClose(() => {
    closed = true;
    reader.cancel().catch(() => undefined);
  });
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done || closed) break;
      corkUntilNextTurn(exchange.socket);
      if (!exchange.write(next.value)) await exchange.drained();
    }
  } finally {
    if (!closed) await reader.cancel().catch(() => undefined);
    exchange.end();
  }
}

/**
 * Stops `server` from wrapping HTTP/2 streams in compatibility objects once a `request`
 * listener (for HTTP/1.1) is added: Node sets that up from a `newListener` hook.
 */
function withoutHttp2Compat(server: http2.Http2SecureServer): void {
  for (const listener of server.listeners("newListener")) {
    if ((listener as { name?: string }).name === "setupCompat") {
      server.off("newListener", listener as (...args: unknown[]) => void);
    }
  }
}

/** Starts the listener. */
export function startHttpsServer(options: HttpsServerOptions): Promise<HttpsServer> {
  const server = http2.createSecureServer({
    allowHTTP1: true,
    cert: options.certPem,
    key: options.keyPem,
    ca: options.clientCaPem,
    requestCert: true,
    // Anonymous clients are allowed to reach /version, /cacerts, ...; the handler decides.
    rejectUnauthorized: false,
    minVersion: "TLSv1.2",
  });
  withoutHttp2Compat(server);
  const sessions = new Set<{ destroy(): void }>();
  server.on("session", (session) => {
    closeSessionOnClientGoaway(session);
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
  });
  // Before the HTTP/2 session's own listener, so it never reads a client's GOAWAY.
  server.prependListener("secureConnection", guardAgainstClientGoaway);
  const sockets = new Set<{ destroy(): void }>();
  server.on("secureConnection", (socket) => {
    // As Node's HTTP server does by default: a small response must not wait for the ACK of the
    // previous segment (Nagle's algorithm) before it leaves.
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  let requests = 0;
  const serve = async (exchange: Exchange) => {
    requests++;
    const method = normalizeMethod(exchange.method);
    // Aborts handlers whose client went away: GETs, the verbs whose answers stream (watch,
    // logs). A write's handler has nothing to stop early, and a signal costs every request
    // ~7 µs; a response written in full needs no abort (each one costs a DOMException).
    let abort: AbortController | undefined;
    if (method === "GET") {
      const controller = abort = new AbortController();
      exchange.onClose(() => {
        if (!exchange.ended()) controller.abort();
      });
    }
    try {
      let body: Uint8Array<ArrayBuffer> | undefined;
      if (method !== "GET" && method !== "HEAD") {
        const read = await readAll(exchange.body);
        if (read === "too-large") {
          const status = ApiError.tooLarge(MAX_BODY_BYTES).toStatus();
          exchange.respond(
            413,
            { "content-type": "application/json" },
            encoder.encode(JSON.stringify(status)),
          );
          return;
        }
        body = read as Uint8Array<ArrayBuffer>;
      }
      const headers = toHeaders(exchange.headers);
      const request = new ListenerRequest(method, exchange.url, headers, body, abort?.signal);
      let user = certificateUser(exchange.socket, options.clientCaPem);
      if (!user && options.authenticateRequest) {
        const result = await options.authenticateRequest(request);
        if (result && "error" in result) {
          // A presented but invalid credential is 401 even on anonymous paths, as upstream.
          await writeResponse(exchange, errorResponse(ApiError.unauthorized()));
          return;
        }
        user = result?.user;
      }
      if (user && options.impersonate && wantsImpersonation(headers)) {
        try {
          user = options.impersonate(headers, user);
        } catch (error) {
          await writeResponse(exchange, errorResponse(error));
          return;
        }
      }
      const response = await options.handler(request, user);
      await writeResponse(exchange, response);
    } catch (error) {
      if (!exchange.headersSent()) {
        exchange.respond(
          500,
          { "content-type": "application/json" },
          encoder.encode(JSON.stringify(ApiError.internal(String(error)).toStatus())),
        );
      } else {
        exchange.end();
      }
    }
  };

  server.on("stream", (stream, headers) => void serve(new Http2Exchange(stream, headers)));
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    // Only HTTP/1.1 arrives here, unless this Deno no longer names its compatibility hook
    // `setupCompat`: then HTTP/2 streams are already served by the `stream` listener.
    if (req.httpVersionMajor >= 2) return;
    void serve(http1Exchange(req, res));
  });

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : options.port;
      resolve({
        port,
        requests: () => requests,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const s of sessions) s.destroy();
            for (const s of sockets) s.destroy();
          }),
      });
    });
  });
}
