/**
 * A raw HTTPS client for the API with the admin credentials from a kubeconfig: for requests
 * kubectl never sends (malformed bodies, oversized bodies, floods of concurrent writes).
 *
 * @module
 */
import { parse } from "yaml";

/** Credentials read from a kubeconfig. */
export interface ApiCredentials {
  server: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** Reads the first cluster and user of a kubeconfig. */
export async function readKubeconfig(path: string): Promise<ApiCredentials> {
  const config = parse(await Deno.readTextFile(path));
  const cluster = config.clusters[0].cluster;
  const user = config.users[0].user;
  return {
    server: cluster.server,
    caPem: atob(cluster["certificate-authority-data"]),
    certPem: atob(user["client-certificate-data"]),
    keyPem: atob(user["client-key-data"]),
  };
}

/** An authenticated fetch bound to one server. */
export interface ApiClient {
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Sends a JSON body and returns status and parsed body. */
  json(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): void;
}

/** Creates a client; `anonymous` leaves out the client certificate. */
export function apiClient(
  credentials: ApiCredentials,
  options: { anonymous?: boolean } = {},
): ApiClient {
  const client = Deno.createHttpClient(
    options.anonymous
      ? { caCerts: [credentials.caPem] }
      : { caCerts: [credentials.caPem], cert: credentials.certPem, key: credentials.keyPem },
  );
  const doFetch = (path: string, init: RequestInit = {}) =>
    fetch(`${credentials.server}${path}`, { ...init, client });
  return {
    fetch: doFetch,
    async json(method, path, body, headers = {}) {
      const response = await doFetch(path, {
        method,
        headers: { "content-type": "application/json", ...headers },
        body: body === undefined
          ? undefined
          : typeof body === "string"
          ? body
          : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: Record<string, unknown> = {};
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = { text };
      }
      return { status: response.status, body: parsed };
    },
    close: () => client.close(),
  };
}
