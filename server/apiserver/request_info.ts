/**
 * Parses an API request path into what it addresses, like upstream's `RequestInfoFactory`:
 * `/apis/apps/v1/namespaces/default/deployments/web/scale` -> group apps, version v1,
 * namespace default, resource deployments, name web, subresource scale, verb from the method.
 *
 * @module
 */

/** What a request addresses and what it wants to do. */
export interface RequestInfo {
  /** False for `/version`, `/healthz`, `/openapi/...` and other non-resource paths. */
  isResourceRequest: boolean;
  path: string;
  /** Kubernetes verb: get, list, watch, create, update, patch, delete, deletecollection. */
  verb: string;
  group: string;
  version: string;
  namespace?: string;
  resource?: string;
  name?: string;
  subresource?: string;
}

const METHOD_VERBS: Record<string, string> = {
  GET: "get",
  HEAD: "get",
  POST: "create",
  PUT: "update",
  PATCH: "patch",
  DELETE: "delete",
};

/**
 * @param method HTTP method.
 * @param path URL path without the query.
 * @param query the query parameters (for `watch=true`).
 */
export function parseRequestInfo(
  method: string,
  path: string,
  query: URLSearchParams,
): RequestInfo {
  const lowerVerb = METHOD_VERBS[method] ?? method.toLowerCase();
  const nonResource: RequestInfo = {
    isResourceRequest: false,
    path,
    verb: lowerVerb,
    group: "",
    version: "",
  };
  const parts = path.split("/").filter((p) => p !== "");
  let rest: string[];
  let group = "";
  let version: string;
  if (parts[0] === "api" && parts.length >= 2) {
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === "apis" && parts.length >= 3) {
    group = parts[1];
    version = parts[2];
    rest = parts.slice(3);
  } else {
    return nonResource;
  }
  if (rest.length === 0) return { ...nonResource, group, version };

  let watchPrefix = false;
  if (rest[0] === "watch") {
    // Deprecated `/watch/` prefix form.
    watchPrefix = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === "namespaces" && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  } else if (rest[0] === "namespaces" && rest.length === 2) {
    // `/api/v1/namespaces/x` is the namespace object itself.
    rest = ["namespaces", rest[1]];
  }
  const [resource, name, subresource] = rest;
  if (rest.length > 3) return nonResource;
  const info: RequestInfo = {
    isResourceRequest: true,
    path,
    verb: lowerVerb,
    group,
    version,
    namespace,
    resource,
    name,
    subresource,
  };
  if (name === undefined) {
    if (lowerVerb === "get") {
      info.verb = watchPrefix || isTrue(query.get("watch")) ? "watch" : "list";
    } else if (lowerVerb === "delete") {
      info.verb = "deletecollection";
    }
  } else if (lowerVerb === "get" && (watchPrefix || isTrue(query.get("watch")))) {
    info.verb = "watch";
  }
  return info;
}

/** Query flag parsing as Go's strconv.ParseBool sees the common values. */
export function isTrue(value: string | null): boolean {
  return value === "true" || value === "1" || value === "True" || value === "TRUE";
}
