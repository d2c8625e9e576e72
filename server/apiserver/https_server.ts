/**
 * The TLS listener: one port, HTTP/2 for ordinary calls and HTTP/1.1 for clients that do not
 * negotiate it (and upgrades). `node:http2`'s secure server accepts the connections because
 * `Deno.serve` cannot ask for client certificates (see platform-notes); it keeps the HTTP/1.1
 * ones, and HTTP/2 ones go to this project's own framing (./http2/connection.ts), which cost
 * half of `node:http2`'s CPU per request in a probe. The listener authenticates the client
 * certificate and hands a {@link ListenerRequest} to the {@link ApiHandler}.
 *
 * @module
 */
import http2 from "node:http2";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { setImmediate } from "node:timers";
import type { TLSSocket } from "node:tls";
import type { ApiHandler } from "./handler.ts";
import {
  asApiError,
  errorResponse,
  isStreamingResponse,
  MAX_BODY_BYTES,
  responseText,
} from "./http_io.ts";
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
import { Http2ServerConnection, type Http2ServerStream } from "./http2/connection.ts";

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
  /** Request headers without pseudo-headers; repeated ones joined as `Headers` joins them. */
  headers: Record<string, string>;
  socket: TLSSocket | undefined;
  /** The whole request body, or "too-large" once it passes {@link MAX_BODY_BYTES}. */
  readBody(): Promise<Uint8Array | "too-large">;
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

function http1Exchange(req: IncomingMessage, res: ServerResponse): Exchange {
  return {
    method: req.method ?? "GET",
    url: `https://${req.headers.host ?? "localhost"}${req.url ?? "/"}`,
    headers: toHeaders(req.headers),
    socket: req.socket as TLSSocket,
    readBody: () => readAll(req),
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
    write(chunk) {
      corkUntilNextTurn(req.socket as TLSSocket);
      return res.write(chunk);
    },
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

/** HTTP/1.1 request headers, repeated ones joined as `Headers` joins them. */
function toHeaders(incoming: IncomingHttpHeaders): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name in incoming) {
    const value = incoming[name];
    if (value === undefined) continue;
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
 * Holds an HTTP/1.1 connection's outgoing bytes until the current turn of the event loop is
 * over, so the chunks a streamed answer writes in one turn leave in one TLS write. (HTTP/2
 * connections batch their frames themselves.)
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
      if (!exchange.write(next.value)) await exchange.drained();
    }
  } finally {
    if (!closed) await reader.cancel().catch(() => undefined);
    exchange.end();
  }
}

/**
 * How long a stopping server waits for an HTTP/2 client to close its side after the GOAWAY,
 * before it destroys the socket (a client that reads the GOAWAY closes at once).
 */
const SHUTDOWN_LINGER_MS = 1_000;

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
  // Node's HTTP/2 session listener keeps HTTP/1.1 connections (allowHTTP1); HTTP/2 ones are
  // served by Http2ServerConnection.
  const nodeConnectionListeners = server.listeners("secureConnection");
  server.removeAllListeners("secureConnection");
  const sockets = new Set<{ destroy(): void }>();
  const http2Connections = new Set<Http2ServerConnection>();

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
      const headers = exchange.headers;
      // The body is read when a handler asks for it: after authentication, so a request
      // refused on its headers never has its body taken in.
      const request = new ListenerRequest(
        method,
        exchange.url,
        headers,
        method === "GET" || method === "HEAD" ? undefined : () => exchange.readBody(),
        abort?.signal,
      );
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
        // An ApiError keeps its status (a body past the limit is 413); anything else is 500.
        const apiError = asApiError(error);
        exchange.respond(
          apiError.code,
          { "content-type": "application/json" },
          encoder.encode(JSON.stringify(apiError.toStatus())),
        );
      } else {
        exchange.end();
      }
    }
  };

  const http2Options = {
    maxBodyBytes: MAX_BODY_BYTES,
    onStream: (stream: Http2ServerStream) => serve(stream),
  };
  server.on("secureConnection", (socket: TLSSocket) => {
    // As Node's HTTP server does by default: a small response must not wait for the ACK of the
    // previous segment (Nagle's algorithm) before it leaves.
    socket.setNoDelay(true);
    if (socket.alpnProtocol === "h2") {
      const connection = new Http2ServerConnection(socket, http2Options);
      http2Connections.add(connection);
      socket.on("close", () => http2Connections.delete(connection));
    } else {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      for (const listener of nodeConnectionListeners) listener.call(server, socket);
    }
  });
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
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
            for (const connection of http2Connections) connection.shutdown(SHUTDOWN_LINGER_MS);
            for (const s of sockets) s.destroy();
          }),
      });
    });
  });
}
