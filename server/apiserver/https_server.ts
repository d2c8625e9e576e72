/**
 * The TLS listener: one port, HTTP/2 for ordinary calls and HTTP/1.1 for clients that do not
 * negotiate it (and, later, upgrades). `node:http2` is used because `Deno.serve` cannot ask for
 * client certificates (see platform-notes). It authenticates the client certificate and hands a
 * web `Request` to the {@link ApiHandler}.
 *
 * @module
 */
import http2 from "node:http2";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import type { ApiHandler } from "./handler.ts";
import { isStreamingResponse, MAX_BODY_BYTES } from "./http_io.ts";
import { errorResponse } from "./http_io.ts";
import type { RequestUser } from "./store_types.ts";
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
  authenticateRequest?: (request: Request) => Promise<Authentication | undefined>;
}

/** The outcome of checking a presented credential. */
export type Authentication = { user: RequestUser } | { error: string };

/** A running listener. */
export interface HttpsServer {
  /** The bound port (useful with port 0). */
  port: number;
  /** Stops accepting and closes open connections. */
  close(): Promise<void>;
}

type AnyRequest = http2.Http2ServerRequest | IncomingMessage;
type AnyResponse = http2.Http2ServerResponse | ServerResponse;

/** The user a verified client certificate names (CN = user, O = groups), cached per connection. */
const certUsers = new WeakMap<object, RequestUser | null>();

function tlsSocketOf(req: AnyRequest): TLSSocket | undefined {
  const h2 = req as http2.Http2ServerRequest;
  const socket = h2.stream?.session?.socket ?? (req as IncomingMessage).socket;
  return socket as TLSSocket | undefined;
}

/**
 * The TLS layer verified the chain (`socket.authorized`); the names are then read from the
 * certificate bytes, because the subject string Node builds does not escape newlines (a CN of
 * `x\nO=system:masters` would read as a group).
 */
function certificateUser(req: AnyRequest, clientCaPem: string): RequestUser | undefined {
  const socket = tlsSocketOf(req);
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

function toHeaders(req: AnyRequest): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith(":") || value === undefined) continue;
    if (Array.isArray(value)) { for (const v of value) headers.append(name, v); }
    else headers.set(name, value);
  }
  return headers;
}

function readAll(req: AnyRequest): Promise<Uint8Array | "too-large"> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let total = 0;
    req.on("data", (chunk: Uint8Array) => {
      total += chunk.byteLength;
      if (total > MAX_BODY_BYTES) {
        resolve("too-large");
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
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
    req.on("error", reject);
  });
}

async function writeResponse(res: AnyResponse, response: Response): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  if (!response.body) {
    res.writeHead(response.status, headers);
    res.end();
    return;
  }
  if (!isStreamingResponse(response)) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    headers["content-length"] = String(bytes.byteLength);
    res.writeHead(response.status, headers);
    res.end(bytes);
    return;
  }
  res.writeHead(response.status, headers);
  (res as ServerResponse).flushHeaders?.();
  const reader = response.body.getReader();
  const closed = new Promise<void>((resolve) => res.once("close", resolve));
  try {
    for (;;) {
      const next = await Promise.race([
        reader.read(),
        closed.then(() => ({ done: true, value: undefined })),
      ]);
      if (next.done) break;
      const ok = (res as ServerResponse).write(next.value);
      if (!ok) await Promise.race([new Promise((r) => res.once("drain", r)), closed]);
    }
  } finally {
    await reader.cancel().catch(() => undefined);
    res.end();
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
  const sessions = new Set<{ destroy(): void }>();
  server.on("session", (session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
  });
  const sockets = new Set<{ destroy(): void }>();
  server.on("secureConnection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  server.on("request", async (req: AnyRequest, res: AnyResponse) => {
    const abort = new AbortController();
    res.once("close", () => abort.abort());
    try {
      const method = req.method ?? "GET";
      const authority = (req.headers[":authority"] as string | undefined) ?? req.headers.host ??
        "localhost";
      const url = `https://${authority}${req.url}`;
      let body: Uint8Array<ArrayBuffer> | undefined;
      if (method !== "GET" && method !== "HEAD") {
        const read = await readAll(req);
        if (read === "too-large") {
          const status = ApiError.tooLarge(MAX_BODY_BYTES).toStatus();
          res.writeHead(413, { "content-type": "application/json" });
          res.end(JSON.stringify(status));
          return;
        }
        body = read as Uint8Array<ArrayBuffer>;
      }
      const request = new Request(url, {
        method,
        headers: toHeaders(req),
        body,
        signal: abort.signal,
      });
      let user = certificateUser(req, options.clientCaPem);
      if (!user && options.authenticateRequest) {
        const result = await options.authenticateRequest(request);
        if (result && "error" in result) {
          // A presented but invalid credential is 401 even on anonymous paths, as upstream.
          await writeResponse(res, errorResponse(ApiError.unauthorized()));
          return;
        }
        user = result?.user;
      }
      const response = await options.handler(request, user);
      await writeResponse(res, response);
    } catch (error) {
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify(ApiError.internal(String(error)).toStatus()));
      } else {
        res.end();
      }
    }
  });

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : options.port;
      resolve({
        port,
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
