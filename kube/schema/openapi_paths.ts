/**
 * The `paths` of a group-version document: collection, item and subresource operations with
 * the `x-kubernetes-action` and `x-kubernetes-group-version-kind` extensions kubectl reads.
 *
 * @module
 */
import type { ResourceInfo } from "../../server/registry/types.ts";
import type { GroupVersionKind } from "../types.ts";
import { META } from "./dsl.ts";
import { REF_PREFIX } from "./types.ts";

type Json = Record<string, unknown>;

/** The verbs a resource serves unless it says otherwise. */
const DEFAULT_VERBS = [
  "create",
  "delete",
  "deletecollection",
  "get",
  "list",
  "patch",
  "update",
  "watch",
];

const OBJECT_TYPES = [
  "application/json",
  "application/yaml",
  "application/vnd.kubernetes.protobuf",
];
const LIST_TYPES = [
  ...OBJECT_TYPES,
  "application/json;stream=watch",
  "application/vnd.kubernetes.protobuf;stream=watch",
];
const PATCH_TYPES = [
  "application/apply-patch+yaml",
  "application/json-patch+json",
  "application/merge-patch+json",
  "application/strategic-merge-patch+json",
];

/** How a subresource is served: which kind it speaks and which verbs it has. */
interface SubresourceShape {
  methods: ("get" | "put" | "patch" | "post")[];
  /** Schema of bodies; the resource's own kind when absent. */
  schema?: string;
  /** Its kind; the resource's own when absent. */
  gvk?: GroupVersionKind;
  /** Streaming or upgrade endpoints: no body schema, no kind. */
  connect?: boolean;
  /** A plain-text stream (`pods/log`). */
  text?: boolean;
  query?: Json[];
}

const SUBRESOURCES: Record<string, SubresourceShape> = {
  status: { methods: ["get", "put", "patch"] },
  ephemeralcontainers: { methods: ["get", "put", "patch"] },
  finalize: { methods: ["put"] },
  scale: {
    methods: ["get", "put", "patch"],
    schema: "io.k8s.api.autoscaling.v1.Scale",
    gvk: { group: "autoscaling", version: "v1", kind: "Scale" },
  },
  binding: {
    methods: ["post"],
    schema: "io.k8s.api.core.v1.Binding",
    gvk: { group: "", version: "v1", kind: "Binding" },
  },
  eviction: {
    methods: ["post"],
    schema: "io.k8s.api.policy.v1.Eviction",
    gvk: { group: "policy", version: "v1", kind: "Eviction" },
  },
  token: {
    methods: ["post"],
    schema: "io.k8s.api.authentication.v1.TokenRequest",
    gvk: { group: "authentication.k8s.io", version: "v1", kind: "TokenRequest" },
  },
  log: {
    methods: ["get"],
    text: true,
    query: [
      query("container", "Container to stream logs of; optional for single-container pods."),
      query("follow", "Keep streaming as new lines are written.", "boolean"),
      query("insecureSkipTLSVerifyBackend", "Skip verifying the kubelet's certificate.", "boolean"),
      query("limitBytes", "Stop after this many bytes.", "integer"),
      query("previous", "Logs of the previous, terminated container instance.", "boolean"),
      query("sinceSeconds", "Only lines newer than this many seconds.", "integer"),
      query("stream", "All, Stdout or Stderr."),
      query("tailLines", "Only this many lines from the end.", "integer"),
      query("timestamps", "Prefix each line with an RFC 3339 timestamp.", "boolean"),
    ],
  },
  exec: { methods: ["get", "post"], connect: true, query: streamQuery(true) },
  attach: { methods: ["get", "post"], connect: true, query: streamQuery(false) },
  portforward: {
    methods: ["get", "post"],
    connect: true,
    query: [query("ports", "Ports to forward.", "integer")],
  },
  proxy: { methods: ["get", "post"], connect: true, query: [query("path", "Path to proxy to.")] },
};

/**
 * Every path of the resources of one group-version, keys in sorted order.
 *
 * @param resources Resources of a single group-version.
 */
export function buildPaths(resources: readonly ResourceInfo[]): Record<string, Json> {
  const paths: Record<string, Json> = {};
  for (const resource of resources) addResource(paths, resource);
  const sorted: Record<string, Json> = {};
  for (const key of Object.keys(paths).sort()) sorted[key] = paths[key];
  return sorted;
}

function addResource(paths: Record<string, Json>, resource: ResourceInfo): void {
  const verbs = new Set(resource.verbs ?? DEFAULT_VERBS);
  const root = resource.group === ""
    ? `/api/${resource.version}`
    : `/apis/${resource.group}/${resource.version}`;
  const scope = resource.namespaced ? `${root}/namespaces/{namespace}` : root;
  const collection = `${scope}/${resource.plural}`;
  const item = `${collection}/{name}`;
  const ids = new OperationIds(resource);
  const gvk = gvkOf(resource);
  const kindRef = schemaRef(resource.schemaName);
  const listRef = schemaRef(`${resource.schemaName}List`);
  const scopeParams = resource.namespaced ? [pathParam("namespace")] : [];

  const collectionOps: Json = {};
  if (verbs.has("list")) {
    collectionOps.get = operation(
      ids.tag,
      ids.make("list"),
      `Lists or watches ${resource.kind} objects.`,
      "list",
      gvk,
      {
        parameters: listQuery(),
        responses: ok(listRef, LIST_TYPES),
      },
    );
  }
  if (verbs.has("create")) {
    collectionOps.post = operation(
      ids.tag,
      ids.make("create"),
      `Creates a ${resource.kind}.`,
      "post",
      gvk,
      {
        parameters: writeQuery(),
        requestBody: body(kindRef),
        responses: {
          ...ok(kindRef),
          "201": response("Created", kindRef),
          "202": response("Accepted", kindRef),
        },
      },
    );
  }
  if (verbs.has("deletecollection")) {
    collectionOps.delete = operation(
      ids.tag,
      ids.make("deleteCollection"),
      `Deletes a collection of ${resource.kind} objects.`,
      "deletecollection",
      gvk,
      {
        parameters: [...deleteQuery(), ...listQuery()],
        requestBody: body(schemaRef(`${META}DeleteOptions`), false),
        responses: ok(schemaRef(`${META}Status`)),
      },
    );
  }
  if (Object.keys(collectionOps).length > 0) {
    paths[collection] = pathItem(`${resource.kind} objects`, scopeParams, collectionOps);
  }
  if (resource.namespaced && verbs.has("list")) {
    paths[`${root}/${resource.plural}`] = pathItem(
      `${resource.kind} objects in every namespace`,
      [],
      {
        get: operation(
          ids.tag,
          ids.make("list", "ForAllNamespaces"),
          `Lists or watches ${resource.kind} objects in every namespace.`,
          "list",
          gvk,
          {
            parameters: listQuery(),
            responses: ok(listRef, LIST_TYPES),
          },
        ),
      },
    );
  }

  const itemOps: Json = {};
  if (verbs.has("get")) {
    itemOps.get = operation(
      ids.tag,
      ids.make("read"),
      `Reads the given ${resource.kind}.`,
      "get",
      gvk,
      {
        responses: ok(kindRef),
      },
    );
  }
  if (verbs.has("update")) {
    itemOps.put = replaceOperation(ids.tag, ids.make("replace"), resource.kind, kindRef, gvk);
  }
  if (verbs.has("patch")) {
    itemOps.patch = patchOperation(ids.tag, ids.make("patch"), resource.kind, kindRef, gvk);
  }
  if (verbs.has("delete")) {
    itemOps.delete = operation(
      ids.tag,
      ids.make("delete"),
      `Deletes the given ${resource.kind}.`,
      "delete",
      gvk,
      {
        parameters: deleteQuery(),
        requestBody: body(schemaRef(`${META}DeleteOptions`), false),
        responses: {
          ...ok(schemaRef(`${META}Status`)),
          "202": response("Accepted", schemaRef(`${META}Status`)),
        },
      },
    );
  }
  const itemParams = [pathParam("name"), ...scopeParams];
  if (Object.keys(itemOps).length > 0) {
    paths[item] = pathItem(`A ${resource.kind}`, itemParams, itemOps);
  }

  for (const sub of resource.subresources) {
    const shape = SUBRESOURCES[sub];
    if (shape) paths[`${item}/${sub}`] = subresourcePath(resource, sub, shape, itemParams);
  }
}

function subresourcePath(
  resource: ResourceInfo,
  sub: string,
  shape: SubresourceShape,
  params: Json[],
): Json {
  const ids = new OperationIds(resource);
  const suffix = capitalize(sub);
  const what = `the ${sub} of the given ${resource.kind}`;
  const ops: Json = {};
  if (shape.connect) {
    for (const method of shape.methods) {
      ops[method] = {
        tags: [ids.tag],
        description: `Connects to ${what}.`,
        operationId: `connect${capitalize(method)}${ids.scope}${resource.kind}${suffix}`,
        parameters: shape.query ?? [],
        responses: {
          "200": { description: "OK", content: { "*/*": { schema: { type: "string" } } } },
        },
        "x-kubernetes-action": "connect",
      };
    }
    return pathItem(`Streams ${what}`, params, ops);
  }
  const gvk = shape.gvk ?? gvkOf(resource);
  const ref = schemaRef(shape.schema ?? resource.schemaName);
  for (const method of shape.methods) {
    if (method === "get") {
      ops.get = operation(
        ids.tag,
        ids.make("read", suffix),
        `Reads ${what}.`,
        "get",
        shape.text ? undefined : gvk,
        {
          parameters: shape.query ?? [],
          responses: shape.text ? { "200": textResponse() } : ok(ref),
        },
      );
    } else if (method === "put") {
      ops.put = replaceOperation(
        ids.tag,
        ids.make("replace", suffix),
        `${sub} of ${resource.kind}`,
        ref,
        gvk,
      );
    } else if (method === "patch") {
      ops.patch = patchOperation(
        ids.tag,
        ids.make("patch", suffix),
        `${sub} of ${resource.kind}`,
        ref,
        gvk,
      );
    } else {
      ops.post = operation(ids.tag, ids.make("create", suffix), `Creates ${what}.`, "post", gvk, {
        parameters: writeQuery(),
        requestBody: body(ref),
        responses: {
          ...ok(ref),
          "201": response("Created", ref),
          "202": response("Accepted", ref),
        },
      });
    }
  }
  return pathItem(capitalize(what), params, ops);
}

function replaceOperation(
  tag: string,
  id: string,
  what: string,
  ref: Json,
  gvk: GroupVersionKind,
): Json {
  return operation(tag, id, `Replaces the ${what}.`, "put", gvk, {
    parameters: writeQuery(),
    requestBody: body(ref),
    responses: { ...ok(ref), "201": response("Created", ref) },
  });
}

function patchOperation(
  tag: string,
  id: string,
  what: string,
  ref: Json,
  gvk: GroupVersionKind,
): Json {
  const patch = schemaRef(`${META}Patch`);
  return operation(tag, id, `Partially updates the ${what}.`, "patch", gvk, {
    parameters: [
      ...writeQuery(),
      query("force", "Take over fields other managers own; apply patches only.", "boolean"),
    ],
    requestBody: {
      content: Object.fromEntries(PATCH_TYPES.map((type) => [type, { schema: patch }])),
      required: true,
    },
    responses: { ...ok(ref), "201": response("Created", ref) },
  });
}

/** Names operations like upstream: `patchAppsV1NamespacedDeploymentScale`. */
class OperationIds {
  readonly tag: string;
  readonly scope: string;
  private readonly prefix: string;

  constructor(private readonly resource: ResourceInfo) {
    const group = resource.group === ""
      ? "core"
      : resource.group.replace(/\.k8s\.io$/, "").split(/[.-]/).map((part, i) =>
        i === 0 ? part : capitalize(part)
      ).join("");
    this.tag = `${group}_${resource.version}`;
    this.prefix = `${capitalize(group)}${capitalize(resource.version)}`;
    this.scope = resource.namespaced ? "Namespaced" : "";
  }

  make(verb: string, suffix = ""): string {
    if (suffix === "ForAllNamespaces") return `${verb}${this.prefix}${this.resource.kind}${suffix}`;
    return `${verb}${this.prefix}${this.scope}${this.resource.kind}${suffix}`;
  }
}

function operation(
  tag: string,
  id: string,
  description: string,
  action: string,
  gvk: GroupVersionKind | undefined,
  parts: { parameters?: Json[]; requestBody?: Json; responses: Json },
): Json {
  const op: Json = {
    tags: [tag],
    description,
    operationId: id,
  };
  if (parts.parameters?.length) op.parameters = parts.parameters;
  if (parts.requestBody) op.requestBody = parts.requestBody;
  op.responses = { ...parts.responses, "401": { description: "Unauthorized" } };
  op["x-kubernetes-action"] = action;
  if (gvk) {
    op["x-kubernetes-group-version-kind"] = {
      group: gvk.group,
      kind: gvk.kind,
      version: gvk.version,
    };
  }
  return op;
}

function pathItem(description: string, parameters: Json[], ops: Json): Json {
  return {
    description,
    parameters: [...parameters, query("pretty", "Pretty-print the output when 'true'.")],
    ...ops,
  };
}

function pathParam(name: string): Json {
  return {
    name,
    in: "path",
    description: name === "name" ? "Name of the object." : "Namespace of the objects.",
    required: true,
    schema: { type: "string", uniqueItems: true },
  };
}

function query(
  name: string,
  description: string,
  type: "string" | "integer" | "boolean" = "string",
): Json {
  return { name, in: "query", description, schema: { type, uniqueItems: true } };
}

function writeQuery(): Json[] {
  return [
    query("dryRun", "When All, the request is validated and processed but not persisted."),
    query("fieldManager", "Name of the actor making the change, for field ownership."),
    query(
      "fieldValidation",
      "How unknown and duplicate fields are treated: Ignore, Warn or Strict.",
    ),
  ];
}

function listQuery(): Json[] {
  return [
    query("allowWatchBookmarks", "Ask for BOOKMARK events in a watch.", "boolean"),
    query("continue", "Token of the next page from a previous list."),
    query("fieldSelector", "Restrict the list by fields, e.g. metadata.name=x."),
    query("labelSelector", "Restrict the list by labels."),
    query("limit", "Maximum number of items in a page.", "integer"),
    query("resourceVersion", "Version to list or watch from."),
    query("resourceVersionMatch", "How resourceVersion is applied: Exact or NotOlderThan."),
    query("sendInitialEvents", "Start a watch with events for the current objects.", "boolean"),
    query("timeoutSeconds", "Duration limit of the call.", "integer"),
    query("watch", "Stream changes instead of listing.", "boolean"),
  ];
}

function deleteQuery(): Json[] {
  return [
    query("dryRun", "When All, the deletion is validated but not persisted."),
    query("gracePeriodSeconds", "Seconds before the object is deleted.", "integer"),
    query(
      "ignoreStoreReadErrorWithClusterBreakingPotential",
      "Delete an object whose stored data cannot be read.",
      "boolean",
    ),
    query("orphanDependents", "Deprecated: use propagationPolicy.", "boolean"),
    query("propagationPolicy", "Orphan, Background or Foreground."),
  ];
}

function streamQuery(withCommand: boolean): Json[] {
  const params = [
    query("container", "Container to connect to."),
    query("stderr", "Stream stderr.", "boolean"),
    query("stdin", "Stream stdin.", "boolean"),
    query("stdout", "Stream stdout.", "boolean"),
    query("tty", "Allocate a terminal.", "boolean"),
  ];
  return withCommand
    ? [query("command", "Command to run; repeat for each argument."), ...params]
    : params;
}

function schemaRef(name: string): Json {
  return { $ref: REF_PREFIX + name };
}

function body(schema: Json, required = true): Json {
  return { content: { "*/*": { schema } }, required };
}

function response(description: string, schema: Json, types = OBJECT_TYPES): Json {
  return { description, content: Object.fromEntries(types.map((type) => [type, { schema }])) };
}

function ok(schema: Json, types = OBJECT_TYPES): Json {
  return { "200": response("OK", schema, types) };
}

function textResponse(): Json {
  return { description: "OK", content: { "text/plain": { schema: { type: "string" } } } };
}

function gvkOf(resource: ResourceInfo): GroupVersionKind {
  return { group: resource.group, version: resource.version, kind: resource.kind };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
