/**
 * The watch measurement's API client: `node:http2` with the admin's client certificate, for the
 * hundred watch streams multiplexed on one connection and their writer. A `fetch` client stalls
 * ~44 ms after every ~1.75 MB it receives on a connection, even against an idle server, which
 * would show up in every percentile. (The GET and list readers use lean_http2.ts.)
 *
 * @module
 */
import http2 from "node:http2";
import type { ApiCredentials } from "../../tests/helpers/api_client.ts";

/** The receive window client-go opens on each HTTP/2 connection. */
const CLIENT_GO_CONNECTION_WINDOW = 1 << 30;

/** An HTTP/2 connection with the credentials' client certificate. */
export function connectHttp2(credentials: ApiCredentials): http2.ClientHttp2Session {
  const session = http2.connect(credentials.server, {
    ca: credentials.caPem,
    cert: credentials.certPem,
    key: credentials.keyPem,
  });
  session.on("error", () => undefined);
  // As client-go's transport (golang.org/x/net/http2: a 1 GiB connection window): with Node's
  // 64 KiB default, a hundred watch streams on one connection wait on WINDOW_UPDATEs.
  session.on("connect", () => session.setLocalWindowSize(CLIENT_GO_CONNECTION_WINDOW));
  return session;
}

/** A response's status and body text. */
export interface Http2Response {
  status: number;
  body: string;
}

/**
 * Sends one request and reads the whole response.
 *
 * @param session The connection.
 * @param method GET, POST, PATCH, ...
 * @param path Path and query.
 * @param body A JSON-able body, sent as `contentType` (JSON unless told).
 * @param contentType The body's media type.
 */
export function http2Request(
  session: http2.ClientHttp2Session,
  method: string,
  path: string,
  body?: unknown,
  contentType = "application/json",
): Promise<Http2Response> {
  return new Promise((resolve, reject) => {
    const headers: http2.OutgoingHttpHeaders = { ":method": method, ":path": path };
    if (body !== undefined) headers["content-type"] = contentType;
    const stream = session.request(headers, { endStream: body === undefined });
    let status = 0;
    let text = "";
    stream.setEncoding("utf8");
    stream.on("response", (h) => status = Number(h[":status"]));
    stream.on("data", (chunk: string) => text += chunk);
    stream.on("end", () => resolve({ status, body: text }));
    stream.on("error", reject);
    if (body !== undefined) stream.end(JSON.stringify(body));
  });
}
