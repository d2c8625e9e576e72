/**
 * A small HTTPS client for the Kubernetes API: JSON in and out, the kubeconfig's CA trusted,
 * a client certificate or a bearer token presented, and every error answer turned back into the
 * {@link ApiError} the server meant (reason, message, details from its `Status` body).
 *
 * @module
 */
import { ApiError } from "../errors.ts";
import type { KubeList, KubeObject } from "../types.ts";
import {
  type ClientCredentials,
  loadKubeconfig,
  type LoadKubeconfigOptions,
} from "./kubeconfig.ts";

/** Query parameters; undefined values are left out. */
export type Query = Record<string, string | number | boolean | undefined>;

/** Options of one request. */
export interface RequestOptions {
  /** Query parameters. */
  query?: Query;
  /** Sent as JSON unless it is already a string. */
  body?: unknown;
  /** `application/json` when a body is sent and this is omitted. */
  contentType?: string;
  /** Extra headers; they override the defaults. */
  headers?: Record<string, string>;
  /** Aborts the request (besides the client's timeout). */
  signal?: AbortSignal;
}

/** Options of {@link KubeClient}. */
export interface KubeClientOptions {
  /** `User-Agent`; the server derives field managers from it. */
  userAgent?: string;
  /** Per-request deadline; 30 s when omitted. */
  timeoutMs?: number;
}

/** The patch content types, by short name. */
export const PATCH_TYPES = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
} as const;

/** A patch type's short name: `json`, `merge`, `strategic` or `apply`. */
export type PatchType = keyof typeof PATCH_TYPES;

/** Upstream's reason for a status code, for error answers that carry no Status body. */
const REASONS: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  409: "Conflict",
  410: "Expired",
  413: "RequestEntityTooLarge",
  415: "UnsupportedMediaType",
  422: "Invalid",
  429: "TooManyRequests",
  500: "InternalError",
  503: "ServiceUnavailable",
  504: "Timeout",
};

/** Where a resource lives in the API. */
export interface ResourcePath {
  /** "" or omitted for the core group. */
  group?: string;
  /** API version, e.g. `v1`. */
  version: string;
  /** Plural, e.g. `secrets`. */
  resource: string;
  /** Omitted for cluster-scoped resources and all-namespace lists. */
  namespace?: string;
  /** Omitted for collections. */
  name?: string;
  /** e.g. `status`, `scale`, `token`. */
  subresource?: string;
}

/**
 * The URL path of a resource, a collection or a subresource.
 *
 * @example
 * ```ts
 * resourcePath({ version: "v1", resource: "secrets", namespace: "kube-system", name: "x" });
 * // "/api/v1/namespaces/kube-system/secrets/x"
 * ```
 */
export function resourcePath(ref: ResourcePath): string {
  const root = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  const parts = [root];
  if (ref.namespace !== undefined) parts.push("namespaces", encodeURIComponent(ref.namespace));
  parts.push(ref.resource);
  if (ref.name !== undefined) parts.push(encodeURIComponent(ref.name));
  if (ref.subresource !== undefined) parts.push(ref.subresource);
  return parts.join("/");
}

/** Turns an error answer into an {@link ApiError}, keeping the server's Status when it sent one. */
export async function apiErrorOf(response: Response): Promise<ApiError> {
  const text = await response.text();
  try {
    const status = JSON.parse(text);
    if (status?.kind === "Status" && typeof status.message === "string") {
      return new ApiError(
        typeof status.code === "number" ? status.code : response.status,
        typeof status.reason === "string" && status.reason !== ""
          ? status.reason
          : REASONS[response.status] ?? "Unknown",
        status.message,
        status.details,
      );
    }
  } catch {
    // not JSON: fall through to the plain text
  }
  return new ApiError(
    response.status,
    REASONS[response.status] ?? "Unknown",
    text.trim() || `the server answered ${response.status} ${response.statusText}`,
  );
}

/** A client bound to one server and one identity. */
export class KubeClient {
  readonly #credentials: ClientCredentials;
  readonly #http: Deno.HttpClient;
  readonly #userAgent: string;
  readonly #timeoutMs: number;

  /**
   * Opens a connection pool trusting the credentials' CA and presenting its client certificate.
   *
   * @param credentials Server, CA, and a client certificate or token.
   * @param options User agent and timeout.
   */
  constructor(credentials: ClientCredentials, options: KubeClientOptions = {}) {
    this.#credentials = credentials;
    this.#http = Deno.createHttpClient({
      ...(credentials.caPem ? { caCerts: [credentials.caPem] } : {}),
      ...(credentials.certPem && credentials.keyPem
        ? { cert: credentials.certPem, key: credentials.keyPem }
        : {}),
    });
    this.#userAgent = options.userAgent ?? "k3ts";
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  /**
   * A client for the current (or named) context of a kubeconfig.
   *
   * @throws {KubeconfigError} When the kubeconfig cannot be used.
   */
  static async fromKubeconfig(
    path: string,
    options: LoadKubeconfigOptions & KubeClientOptions = {},
  ): Promise<KubeClient> {
    return new KubeClient(await loadKubeconfig(path, options), options);
  }

  /** The server URL. */
  get server(): string {
    return this.#credentials.server;
  }

  /** The CA the client trusts, as the kubeconfig gave it. */
  get caPem(): string | undefined {
    return this.#credentials.caPem;
  }

  /**
   * Sends one request and returns the raw response (watches, logs, anything streamed).
   * Transport failures reject with the fetch error; error statuses resolve.
   */
  fetch(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const url = new URL(path, this.#credentials.server);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = {
      accept: "application/json",
      "user-agent": this.#userAgent,
      ...options.headers,
    };
    if (this.#credentials.token) headers.authorization = `Bearer ${this.#credentials.token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
      headers["content-type"] = options.contentType ?? "application/json";
    }
    const signals = [AbortSignal.timeout(this.#timeoutMs)];
    if (options.signal) signals.push(options.signal);
    return fetch(url, {
      method,
      headers,
      body,
      client: this.#http,
      signal: AbortSignal.any(signals),
    });
  }

  /**
   * Sends one request and parses the JSON answer.
   *
   * @throws {ApiError} For any answer outside 2xx, with the server's reason and message.
   */
  async request<T = unknown>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<T> {
    const response = await this.fetch(method, path, options);
    if (!response.ok) throw await apiErrorOf(response);
    const text = await response.text();
    return (text === "" ? undefined : JSON.parse(text)) as T;
  }

  /** GET one object. @throws {ApiError} */
  get<T extends KubeObject = KubeObject>(path: string, query?: Query): Promise<T> {
    return this.request<T>("GET", path, { query });
  }

  /** GET a collection. @throws {ApiError} */
  list<T extends KubeObject = KubeObject>(path: string, query?: Query): Promise<KubeList<T>> {
    return this.request<KubeList<T>>("GET", path, { query });
  }

  /** POST an object to a collection (or a subresource such as `serviceaccounts/x/token`). */
  create<T = KubeObject>(path: string, body: unknown, query?: Query): Promise<T> {
    return this.request<T>("POST", path, { body, query });
  }

  /** PUT a whole object. @throws {ApiError} */
  replace<T extends KubeObject = KubeObject>(path: string, body: T, query?: Query): Promise<T> {
    return this.request<T>("PUT", path, { body, query });
  }

  /** PATCH an object; `apply` needs `fieldManager` in the query. @throws {ApiError} */
  patch<T extends KubeObject = KubeObject>(
    path: string,
    type: PatchType,
    body: unknown,
    query?: Query,
  ): Promise<T> {
    return this.request<T>("PATCH", path, { body, query, contentType: PATCH_TYPES[type] });
  }

  /** DELETE an object; resolves to the server's answer (the object or a Status). */
  delete<T = unknown>(path: string, options?: Record<string, unknown>): Promise<T> {
    return this.request<T>("DELETE", path, { body: options });
  }

  /** Releases the connection pool. */
  close(): void {
    this.#http.close();
  }

  /** Same as {@link close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}
