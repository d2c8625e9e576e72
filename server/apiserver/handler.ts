/**
 * The API as one plain function: `(ApiRequest, user) => Response`. The TLS server is a thin shell
 * around it that authenticates the client certificate; tests call it directly.
 *
 * @module
 */
import { ApiError } from "../../kube/errors.ts";
import { K3TS_VERSION, KUBERNETES_VERSION } from "../../version.ts";
import type { Backend } from "../storage/types.ts";
import { type Authorizer, type RequestAttributes } from "./authz.ts";
import {
  AGGREGATED_CONTENT_TYPE,
  Discovery,
  VIRTUAL_RESOURCES,
  wantsAggregated,
} from "./discovery.ts";
import { errorResponse, jsonResponse } from "./http_io.ts";
import type { Authentication } from "./https_server.ts";
import { OpenApiCache } from "./openapi_cache.ts";
import { parseRequestInfo, type RequestInfo } from "./request_info.ts";
import { ResourceHandler, type SubresourceCreator } from "./resource_handler.ts";
import type { ResourceRegistry } from "./resources.ts";
import { RestStore, type StoreDeps } from "./rest_store.ts";
import { handleReview } from "./reviews.ts";
import type { RequestUser } from "./store_types.ts";
import { type ApiRequest, requestUrl } from "./api_request.ts";

/** The build this server claims: kubectl's dispatcher picks a client by `minor`. */
export const VERSION_INFO = {
  major: KUBERNETES_VERSION.slice(1).split(".")[0],
  minor: KUBERNETES_VERSION.split(".")[1],
  gitVersion: `${KUBERNETES_VERSION}+k3ts`,
  gitCommit: K3TS_VERSION,
  gitTreeState: "clean",
  buildDate: "2026-11-22T00:00:00Z",
  goVersion: "deno",
  compiler: "gc",
  platform: `linux/${Deno.build.arch === "aarch64" ? "arm64" : "amd64"}`,
};

/** What the handler needs. */
export interface ApiHandlerOptions {
  registry: ResourceRegistry;
  backend: Backend;
  storeDeps: StoreDeps;
  authorizer: Authorizer;
  /** `host:port` clients should use (discovery's serverAddressByClientCIDRs). */
  serverAddress: string;
  /** The server CA, served at `/cacerts`. */
  serverCaPem: string;
  /** False until bootstrap finished (`/readyz`). */
  isReady(): boolean;
  /** Checks a bearer token for TokenReview (the listener's authenticator). */
  authenticateToken?: (request: ApiRequest) => Promise<Authentication | undefined>;
  /** Creatable subresources served outside the store (`serviceaccounts/token`). */
  subresourceCreators?: ReadonlyMap<string, SubresourceCreator>;
}

/** Paths anyone may call without credentials. */
const ANONYMOUS_PATHS = new Set(["/version", "/healthz", "/livez", "/readyz", "/cacerts", "/ping"]);

/** The stores, one per resource, created on first use. */
export class StoreSet {
  #stores = new Map<string, RestStore>();
  constructor(readonly registry: ResourceRegistry, readonly deps: StoreDeps) {}

  /** The store of `group/version/plural`, or undefined. */
  lookup(group: string, version: string, plural: string): RestStore | undefined {
    const resource = this.registry.lookup(group, version, plural);
    if (!resource) return undefined;
    const key = `${group}/${version}/${plural}`;
    let store = this.#stores.get(key);
    if (!store || store.resource !== resource) {
      store = new RestStore(resource, this.deps);
      this.#stores.set(key, store);
    }
    return store;
  }

  /** The store of a kind (any served version); throws when not served. */
  forKind(group: string, kind: string): RestStore {
    const resource = this.registry.byKind(group, kind);
    if (!resource) throw new Error(`kind ${kind}.${group} is not served`);
    return this.lookup(group, resource.info.version, resource.info.plural)!;
  }
}

/** A request handler. */
export type ApiHandler = (request: ApiRequest, user: RequestUser | undefined) => Promise<Response>;

/** Builds the API handler. */
export function createApiHandler(options: ApiHandlerOptions, stores: StoreSet): ApiHandler {
  const discovery = new Discovery(options.registry);
  const openapi = new OpenApiCache(options.registry);
  const resources = new ResourceHandler(
    stores,
    options.backend,
    options.authorizer,
    options.subresourceCreators,
  );

  async function openApiDocument(path: string, url: URL): Promise<Response> {
    const doc = await openapi.document(path.slice("/openapi/v3/".length));
    if (!doc) throw ApiError.pathNotFound();
    const hashed = url.searchParams.has("hash");
    return jsonResponse(200, doc.json, {
      etag: `"${doc.hash}"`,
      "cache-control": hashed ? "public, immutable" : "no-cache, private",
    });
  }

  function nonResource(
    request: ApiRequest,
    url: URL,
    info: RequestInfo,
    user: RequestUser | undefined,
  ): Response | Promise<Response> | undefined {
    const path = url.pathname.replace(/\/$/, "") || "/";
    switch (path) {
      case "/version":
        return jsonResponse(200, VERSION_INFO);
      case "/healthz":
      case "/livez":
        return new Response("ok", { headers: { "content-type": "text/plain; charset=utf-8" } });
      case "/readyz":
        return options.isReady()
          ? new Response("ok", { headers: { "content-type": "text/plain; charset=utf-8" } })
          : new Response("not ready", {
            status: 503,
            headers: { "content-type": "text/plain; charset=utf-8" },
          });
      case "/cacerts":
        return new Response(options.serverCaPem, {
          headers: { "content-type": "text/plain; charset=utf-8" },
        });
      case "/ping":
        return new Response("pong", { headers: { "content-type": "text/plain; charset=utf-8" } });
    }
    if (!user) return undefined;
    const accept = request.headers.get("accept");
    if (path === "/api") {
      return wantsAggregated(accept)
        ? jsonResponse(200, discovery.aggregated(true), { "content-type": AGGREGATED_CONTENT_TYPE })
        : jsonResponse(200, discovery.coreVersions(options.serverAddress));
    }
    if (path === "/apis") {
      return wantsAggregated(accept)
        ? jsonResponse(200, discovery.aggregated(false), {
          "content-type": AGGREGATED_CONTENT_TYPE,
        })
        : jsonResponse(200, discovery.groupList());
    }
    if (path === "/openapi/v3") return openapi.index().then((index) => jsonResponse(200, index));
    if (path.startsWith("/openapi/v3/")) return openApiDocument(path, url);
    if (info.version && !info.resource) {
      // `/api/v1`, `/apis/<g>/<v>`
      const list = discovery.resourceList(info.group, info.version);
      if (list) return jsonResponse(200, list);
    }
    const groupMatch = /^\/apis\/([^/]+)$/.exec(path);
    if (groupMatch) {
      const group = discovery.group(groupMatch[1]);
      if (group) return jsonResponse(200, group);
    }
    return undefined;
  }

  return async (request, user) => {
    try {
      const url = requestUrl(request);
      const info = parseRequestInfo(request.method, url.pathname, url.searchParams);
      const path = url.pathname.replace(/\/$/, "") || "/";
      if (!user && !ANONYMOUS_PATHS.has(path)) throw ApiError.unauthorized();
      const attributes = authorizationAttributes(info, url.searchParams);
      if (user && !ANONYMOUS_PATHS.has(path)) {
        const decision = options.authorizer.authorize(user, attributes);
        if (!decision.allowed) throw forbidden(user, info, decision.reason);
      }
      if (!info.isResourceRequest || !info.resource) {
        const response = nonResource(request, url, info, user);
        if (response) return await response;
        throw ApiError.pathNotFound();
      }
      const virtual = VIRTUAL_RESOURCES.find((v) =>
        v.group === info.group && v.version === info.version && v.plural === info.resource
      );
      if (virtual) {
        return await handleReview(
          request,
          virtual,
          user!,
          options.authorizer,
          options.authenticateToken,
        );
      }
      const store = stores.lookup(info.group, info.version, info.resource);
      if (!store) throw ApiError.pathNotFound();
      return await resources.handle(request, url, info, store, user!);
    } catch (error) {
      return errorResponse(error);
    }
  };
}

/** Upstream's 403 wording for resource and non-resource requests. */
export function forbidden(user: RequestUser, info: RequestInfo, reason?: string): ApiError {
  if (!info.isResourceRequest || !info.resource) {
    return ApiError.forbiddenPath(user.name, info.verb, info.path);
  }
  const resource = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
  return ApiError.forbidden(
    user.name,
    info.verb,
    { resource, group: info.group },
    info.name,
    info.namespace,
    reason,
  );
}

/**
 * What the authoriser sees, as upstream's RequestInfo resolves it: a Namespace is inside itself
 * (a RoleBinding in `x` may grant reading namespace `x`), and a list or watch narrowed to one
 * name by `fieldSelector=metadata.name=<n>` is about that name (rules with resourceNames, a
 * kubelet's single-object watches).
 */
function authorizationAttributes(info: RequestInfo, query: URLSearchParams): RequestAttributes {
  const attributes: RequestAttributes = { ...info };
  if (info.resource === "namespaces" && info.group === "" && info.name) {
    attributes.namespace = info.name;
  }
  if ((info.verb === "list" || info.verb === "watch") && !info.name) {
    const selected = /^metadata\.name==?([^,]+)$/.exec(query.get("fieldSelector") ?? "");
    if (selected) attributes.name = selected[1];
  }
  return attributes;
}
