/**
 * REST verbs over HTTP for stored resources: query parameters in, store call, JSON or Table out.
 * Subresources that are views of the object (`status`, `scale`, `binding`, `eviction`) are here
 * too; streaming ones (`log`, `exec`) need a kubelet.
 *
 * @module
 */
import { ApiError } from "../../kube/errors.ts";
import { formatLabelSelector, parseLabelSelector } from "../../kube/selectors/labels.ts";
import { parseFieldSelector } from "../../kube/selectors/fields.ts";
import type { KubeObject } from "../../kube/types.ts";
import type { Backend, KeyValue } from "../storage/types.ts";
import type { Authorizer } from "./authz.ts";
import {
  decodeObjectBody,
  jsonResponse,
  parseJsonBody,
  readBody,
  streamingResponse,
} from "./http_io.ts";
import type { StoreSet } from "./handler.ts";
import { isTrue, type RequestInfo } from "./request_info.ts";
import { bindPod } from "./pod_binding.ts";
import type { RestStore } from "./rest_store.ts";
import {
  type DeleteOptions,
  type FieldValidation,
  type ListOptions,
  patchTypeOf,
  type RequestUser,
  type WriteOptions,
  type WriteResult,
} from "./store_types.ts";
import { storedJson, storedJsonOf } from "./object_meta.ts";
import type { RegisteredResource } from "./resources.ts";
import { type StoredWatchEvent, watchStore } from "./store_watch.ts";
import { type IncludeObject, toTable, wantsTable } from "./table.ts";
import type { ApiRequest } from "./api_request.ts";

const TABLE_CONTENT_TYPE = "application/json;as=Table;v=v1;g=meta.k8s.io";
const encoder = new TextEncoder();

/** Serves resource requests. */
/**
 * Creates a subresource that is not stored, e.g. `serviceaccounts/token` (a TokenRequest):
 * gets the parent's namespace and name and the decoded body, returns the response body.
 */
export type SubresourceCreator = (
  namespace: string,
  name: string,
  body: unknown,
) => Promise<unknown>;

export class ResourceHandler {
  constructor(
    readonly stores: StoreSet,
    readonly backend: Backend,
    readonly authorizer: Authorizer,
    /** Creatable subresources served outside the store, keyed `<group>/<resource>/<sub>`. */
    readonly subresourceCreators: ReadonlyMap<string, SubresourceCreator> = new Map(),
  ) {}

  /** Handles one request for `store`'s resource. */
  async handle(
    request: ApiRequest,
    url: URL,
    info: RequestInfo,
    store: RestStore,
    user: RequestUser,
  ): Promise<Response> {
    const resource = store.resource;
    const q = url.searchParams;
    if (resource.info.namespaced === false && info.namespace !== undefined) {
      throw ApiError.pathNotFound();
    }
    if (resource.info.namespaced && info.name !== undefined && info.namespace === undefined) {
      throw ApiError.pathNotFound();
    }
    const sub = info.subresource;
    if (sub !== undefined && !resource.info.subresources.includes(sub)) {
      throw ApiError.pathNotFound();
    }
    const ns = info.namespace;
    const name = info.name;

    const table = wantsTable(request.headers.get("accept"));
    switch (info.verb) {
      case "list":
        if (!table) return jsonResponse(200, await store.listJson(ns, listOptions(q)));
        return this.#render(request, store, await store.list(ns, listOptions(q)), q);
      case "watch":
        return this.#watch(request, store, ns, q);
      case "get": {
        if (!table && (sub === undefined || sub === "status")) {
          return jsonResponse(200, await store.getJson(ns, name!));
        }
        const obj = await store.get(ns, name!);
        if (sub === "scale") return jsonResponse(200, scaleOf(obj));
        if (sub === "log" || sub === "exec" || sub === "attach" || sub === "portforward") {
          return noKubelet(obj);
        }
        return this.#render(request, store, obj, q);
      }
      case "create": {
        if (name === undefined) {
          const body = await decodeObjectBody(
            await readBody(request),
            request.headers.get("content-type"),
          );
          return writeResponse(
            store,
            await store.create(ns, body as KubeObject, writeOptions(q, request, user)),
            201,
          );
        }
        const creator = this.subresourceCreators.get(
          `${store.resource.info.group}/${store.resource.info.plural}/${sub}`,
        );
        if (creator) {
          const body = await decodeObjectBody(
            await readBody(request),
            request.headers.get("content-type"),
          );
          return jsonResponse(201, await creator(ns!, name, body));
        }
        if (sub === "binding") {
          return await bind(store, ns!, name, await readBody(request), request, user);
        }
        if (sub === "eviction") {
          await store.delete(ns, name, { user });
          return jsonResponse(201, successStatus());
        }
        if (sub === "exec" || sub === "attach" || sub === "portforward") {
          return noKubelet(await store.get(ns, name));
        }
        throw ApiError.methodNotAllowed(
          `the server does not allow this method on the requested resource`,
        );
      }
      case "update": {
        if (name === undefined) {
          throw ApiError.methodNotAllowed(
            "the server does not allow this method on the requested resource",
          );
        }
        const body = await decodeObjectBody(
          await readBody(request),
          request.headers.get("content-type"),
        ) as KubeObject;
        if (sub === "scale") {
          return jsonResponse(
            200,
            await this.#setScale(store, ns, name, body, writeOptions(q, request, user)),
          );
        }
        const result = await store.update(ns, name, body, {
          ...writeOptions(q, request, user),
          subresource: sub,
        });
        return writeResponse(store, result, 200);
      }
      case "patch": {
        if (name === undefined) {
          throw ApiError.methodNotAllowed(
            "the server does not allow this method on the requested resource",
          );
        }
        const contentType = request.headers.get("content-type") ?? "";
        const type = patchTypeOf(contentType);
        if (!type) {
          throw ApiError.unsupportedMediaType(contentType, [
            "application/json-patch+json",
            "application/merge-patch+json",
            "application/strategic-merge-patch+json",
            "application/apply-patch+yaml",
          ]);
        }
        const bytes = await readBody(request);
        const body = type === "apply"
          ? await decodeObjectBody(bytes, "application/yaml")
          : parseJsonBody(bytes);
        const options = { ...writeOptions(q, request, user), subresource: sub };
        if (type === "apply" && !q.get("fieldManager")) {
          throw ApiError.badRequest(
            "PATCH, application/apply-patch+yaml requires fieldManager to be set",
          );
        }
        if (sub === "scale") {
          const current = scaleOf(await store.get(ns, name));
          const patched = store.patchScale(type, current, body);
          return jsonResponse(200, await this.#setScale(store, ns, name, patched, options));
        }
        const result = await store.patch(ns, name, type, body, options);
        return writeResponse(store, result, result.created ? 201 : 200);
      }
      case "delete": {
        const options = await deleteOptions(request, q, user);
        const result = await store.delete(ns, name!, options);
        if (!result.deleted) return jsonResponse(200, result.object);
        return jsonResponse(200, {
          ...successStatus(),
          details: {
            name,
            group: resource.info.group,
            kind: resource.info.plural,
            uid: result.object.metadata.uid,
          },
        });
      }
      case "deletecollection": {
        const options = await deleteOptions(request, q, user);
        return jsonResponse(200, await store.deleteCollection(ns, listOptions(q), options));
      }
    }
    throw ApiError.methodNotAllowed(
      `the server does not allow this method on the requested resource`,
    );
  }

  #render(
    request: ApiRequest,
    store: RestStore,
    value: KubeObject | { items: KubeObject[] },
    q: URLSearchParams,
  ): Response {
    if (wantsTable(request.headers.get("accept"))) {
      const include = (q.get("includeObject") ?? "Metadata") as IncludeObject;
      return jsonResponse(200, toTable(store.resource, value as KubeObject, include), {
        "content-type": TABLE_CONTENT_TYPE,
      });
    }
    return jsonResponse(200, value);
  }

  async #setScale(
    store: RestStore,
    ns: string | undefined,
    name: string,
    scale: KubeObject,
    options: WriteOptions,
  ): Promise<KubeObject> {
    const replicas = scale.spec?.replicas;
    if (!Number.isInteger(replicas) || replicas < 0) {
      throw ApiError.invalid({ resource: "scale", group: "autoscaling", kind: "Scale" }, name, [{
        reason: "FieldValueInvalid",
        message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
        field: "spec.replicas",
      }]);
    }
    const rv = scale.metadata?.resourceVersion;
    const result = await store.updateWith(ns, name, (current) => {
      if (rv && rv !== current.metadata.resourceVersion) throw ApiError.conflict(store.ref, name);
      current.spec = { ...(current.spec ?? {}), replicas };
      return current;
    }, options);
    return scaleOf(result.object);
  }

  #watch(
    request: ApiRequest,
    store: RestStore,
    ns: string | undefined,
    q: URLSearchParams,
  ): Response {
    // Validate before answering 200: errors after the headers can only be ERROR events.
    parseLabelSelector(q.get("labelSelector"));
    parseFieldSelector(q.get("fieldSelector"), store.resource.strategy.fieldSelectors ?? {});
    const table = wantsTable(request.headers.get("accept"));
    const include = (q.get("includeObject") ?? "Metadata") as IncludeObject;
    const abort = new AbortController();
    const signals = [abort.signal, request.signal];
    const timeoutSeconds = Number(q.get("timeoutSeconds") ?? "0");
    // Upstream ends watches after 30-60 minutes so clients spread their re-lists.
    const timeout = timeoutSeconds > 0 ? timeoutSeconds : 1800 + Math.floor(Math.random() * 1800);
    signals.push(AbortSignal.timeout(timeout * 1000));
    const signal = AbortSignal.any(signals);
    const events = watchStore(store, this.backend, ns, {
      labelSelector: q.get("labelSelector") ?? undefined,
      fieldSelector: q.get("fieldSelector") ?? undefined,
      resourceVersion: q.get("resourceVersion") ?? undefined,
      allowWatchBookmarks: isTrue(q.get("allowWatchBookmarks")),
      sendInitialEvents: isTrue(q.get("sendInitialEvents")),
      signal,
    }, { sharedObjects: true });
    const stop = () => {
      abort.abort();
      events.return(undefined).catch(() => undefined);
    };
    signal.addEventListener("abort", stop, { once: true });
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const next = await events.next();
          if (next.done || signal.aborted) {
            controller.close();
            return;
          }
          const event = next.value;
          const { type, object } = event;
          if (table && (type === "ADDED" || type === "MODIFIED" || type === "DELETED")) {
            const shown = toTable(store.resource, object, include);
            controller.enqueue(encoder.encode(JSON.stringify({ type, object: shown }) + "\n"));
          } else {
            controller.enqueue(watchLine(store.resource, event));
          }
        } catch (error) {
          const status = error instanceof ApiError
            ? error.toStatus()
            : ApiError.internal(String(error)).toStatus();
          controller.enqueue(
            encoder.encode(JSON.stringify({ type: "ERROR", object: status }) + "\n"),
          );
          controller.close();
        }
      },
      cancel: stop,
    });
    return streamingResponse(body, {
      "content-type": table ? TABLE_CONTENT_TYPE : "application/json",
      "cache-control": "no-cache, private",
    });
  }
}

/** Encoded watch lines per stored change, event type and API version, shared by all watchers. */
const watchLines = new WeakMap<KeyValue, Map<string, Uint8Array>>();

/**
 * One watch event as the line a JSON watch stream carries. A stored change is encoded once for
 * all its watchers (as upstream's watch cache serialises each event once), from its stored text.
 */
function watchLine(resource: RegisteredResource, event: StoredWatchEvent): Uint8Array {
  const kv = event.kv;
  if (!kv) return encoder.encode(JSON.stringify({ type: event.type, object: event.object }) + "\n");
  let lines = watchLines.get(kv);
  if (!lines) watchLines.set(kv, lines = new Map());
  const key = `${event.type} ${resource.apiVersion}`;
  let line = lines.get(key);
  if (!line) {
    const object = storedJson(resource, kv.value, kv.modRevision);
    line = encoder.encode(`{"type":"${event.type}","object":${object}}\n`);
    lines.set(key, line);
  }
  return line;
}

function listOptions(q: URLSearchParams): ListOptions {
  const limit = q.get("limit");
  return {
    labelSelector: q.get("labelSelector") ?? undefined,
    fieldSelector: q.get("fieldSelector") ?? undefined,
    limit: limit ? Number(limit) : undefined,
    continue: q.get("continue") ?? undefined,
    resourceVersion: q.get("resourceVersion") ?? undefined,
    resourceVersionMatch: q.get("resourceVersionMatch") ?? undefined,
  };
}

/** `?dryRun=All`, `?fieldManager=`, `?fieldValidation=`, `?force=`. */
function writeOptions(q: URLSearchParams, request: ApiRequest, user: RequestUser): WriteOptions {
  const dryRun = q.getAll("dryRun");
  for (const value of dryRun) {
    if (value !== "All") throw ApiError.badRequest(`Invalid dry run value: ${value}`);
  }
  const validation = q.get("fieldValidation") ?? "Warn";
  if (!["Strict", "Warn", "Ignore"].includes(validation)) {
    throw ApiError.badRequest(
      `fieldValidation parameter unsupported: ${validation}. Must be one of "Strict", "Warn" or "Ignore"`,
    );
  }
  const manager = q.get("fieldManager") ?? managerFromUserAgent(request.headers.get("user-agent"));
  if (manager.length > 128) {
    throw ApiError.badRequest("fieldManager: Too long: must have at most 128 bytes");
  }
  return {
    dryRun: dryRun.length > 0,
    fieldManager: manager,
    fieldValidation: validation as FieldValidation,
    force: isTrue(q.get("force")),
    user,
  };
}

/** Upstream names an unnamed manager after the client: `kubectl/v1.32 (linux)` -> `kubectl`. */
function managerFromUserAgent(userAgent: string | null): string {
  const name = (userAgent ?? "unknown").split("/")[0].trim();
  return name === "" ? "unknown" : name.slice(0, 128);
}

async function deleteOptions(
  request: ApiRequest,
  q: URLSearchParams,
  user: RequestUser,
): Promise<DeleteOptions> {
  const bytes = await readBody(request);
  const body = bytes.byteLength > 0
    ? await decodeObjectBody(bytes, request.headers.get("content-type")) as Record<
      string,
      unknown
    >
    : {};
  const grace = q.get("gracePeriodSeconds") ?? body.gracePeriodSeconds;
  const policy = q.get("propagationPolicy") ?? body.propagationPolicy;
  if (policy !== undefined && !["Background", "Foreground", "Orphan"].includes(String(policy))) {
    throw ApiError.badRequest(
      `propagationPolicy: Unsupported value: "${policy}": supported values: "Background", "Foreground", "Orphan"`,
    );
  }
  const dryRun = [...q.getAll("dryRun"), ...((body.dryRun as string[] | undefined) ?? [])];
  for (const value of dryRun) {
    if (value !== "All") throw ApiError.badRequest(`Invalid dry run value: ${value}`);
  }
  return {
    gracePeriodSeconds: grace === undefined || grace === null ? undefined : Number(grace),
    propagationPolicy: policy as DeleteOptions["propagationPolicy"],
    orphanDependents: q.has("orphanDependents")
      ? isTrue(q.get("orphanDependents"))
      : body.orphanDependents as boolean | undefined,
    preconditions: body.preconditions as DeleteOptions["preconditions"],
    dryRun: dryRun.length > 0,
    user,
  };
}

function writeResponse(store: RestStore, result: WriteResult, status: number): Response {
  const headers: Record<string, string> = {};
  if (result.warnings.length > 0) {
    headers["warning"] = result.warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(", ");
  }
  // The object was just encoded for storage: reuse that text rather than encode it again.
  const body = storedJsonOf(store.resource, result.object) ?? result.object;
  return jsonResponse(result.created ? 201 : status, body, headers);
}

function successStatus() {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 200 } as Record<
    string,
    unknown
  >;
}

/** autoscaling/v1 Scale of a workload. */
export function scaleOf(obj: KubeObject): KubeObject {
  const { name, namespace, uid, resourceVersion, creationTimestamp } = obj.metadata;
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: obj.spec?.replicas ?? 0 },
    status: {
      replicas: obj.status?.replicas ?? 0,
      selector: formatLabelSelector(obj.spec?.selector),
    },
  };
}

async function bind(
  store: RestStore,
  ns: string,
  name: string,
  bytes: Uint8Array,
  request: ApiRequest,
  user: RequestUser,
): Promise<Response> {
  const binding = await decodeObjectBody(bytes, request.headers.get("content-type")) as KubeObject;
  const node = binding.target?.name;
  if (!node) {
    throw ApiError.invalid({ resource: "bindings", group: "", kind: "Binding" }, name, [{
      reason: "FieldValueRequired",
      message: "Required value",
      field: "target.name",
    }]);
  }
  await bindPod(store, ns, name, node, { user });
  return jsonResponse(201, successStatus());
}

function noKubelet(pod: KubeObject): Response {
  if (!pod.spec?.nodeName) {
    throw ApiError.badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
  }
  throw ApiError.unavailable(`no kubelet connection to node "${pod.spec.nodeName}"`);
}
