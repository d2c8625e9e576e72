/**
 * API discovery, legacy (`/api`, `/apis`, `/api/v1`, `/apis/<g>/<v>`) and aggregated
 * (`apidiscovery.k8s.io/v2`), all derived from the {@link ResourceRegistry}. Documents are
 * rendered once per registry generation.
 *
 * @module
 */
import type { RegisteredResource, ResourceRegistry } from "./resources.ts";

/** A resource that is not stored: reviews, which only accept `create`. */
export interface VirtualResource {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
}

/** The review endpoints served beside the stored resources. */
export const VIRTUAL_RESOURCES: readonly VirtualResource[] = [
  {
    group: "authentication.k8s.io",
    version: "v1",
    plural: "selfsubjectreviews",
    kind: "SelfSubjectReview",
    namespaced: false,
    verbs: ["create"],
  },
  {
    group: "authentication.k8s.io",
    version: "v1",
    plural: "tokenreviews",
    kind: "TokenReview",
    namespaced: false,
    verbs: ["create"],
  },
  {
    group: "authorization.k8s.io",
    version: "v1",
    plural: "selfsubjectaccessreviews",
    kind: "SelfSubjectAccessReview",
    namespaced: false,
    verbs: ["create"],
  },
  {
    group: "authorization.k8s.io",
    version: "v1",
    plural: "selfsubjectrulesreviews",
    kind: "SelfSubjectRulesReview",
    namespaced: false,
    verbs: ["create"],
  },
  {
    group: "authorization.k8s.io",
    version: "v1",
    plural: "subjectaccessreviews",
    kind: "SubjectAccessReview",
    namespaced: false,
    verbs: ["create"],
  },
];

interface SubresourceShape {
  group?: string;
  version?: string;
  kind?: string;
  verbs: string[];
}

/** What each subresource answers with and allows, as upstream's discovery lists them. */
const SUBRESOURCES: Record<string, SubresourceShape> = {
  status: { verbs: ["get", "patch", "update"] },
  scale: { group: "autoscaling", version: "v1", kind: "Scale", verbs: ["get", "patch", "update"] },
  binding: { version: "v1", kind: "Binding", verbs: ["create"] },
  log: { kind: "Pod", verbs: ["get"] },
  exec: { version: "v1", kind: "PodExecOptions", verbs: ["create", "get"] },
  attach: { version: "v1", kind: "PodAttachOptions", verbs: ["create", "get"] },
  portforward: { version: "v1", kind: "PodPortForwardOptions", verbs: ["create", "get"] },
  eviction: { group: "policy", version: "v1", kind: "Eviction", verbs: ["create"] },
  ephemeralcontainers: { verbs: ["get", "patch", "update"] },
  token: { group: "authentication.k8s.io", version: "v1", kind: "TokenRequest", verbs: ["create"] },
  proxy: {
    version: "v1",
    kind: "ProxyOptions",
    verbs: ["create", "delete", "get", "patch", "update"],
  },
  finalize: { verbs: ["update"] },
};

/** Content type of an aggregated discovery answer. */
export const AGGREGATED_CONTENT_TYPE =
  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/** True when the Accept header prefers aggregated discovery. */
export function wantsAggregated(accept: string | null): boolean {
  if (!accept) return false;
  const first = accept.split(",")[0];
  return first.includes("as=APIGroupDiscoveryList") && first.includes("v=v2") &&
    !first.includes("v=v2beta1");
}

/** Renders discovery documents for one registry generation. */
export class Discovery {
  #generation = -1;
  #cache = new Map<string, string>();

  constructor(readonly registry: ResourceRegistry) {}

  #cached(key: string, render: () => unknown): string {
    if (this.#generation !== this.registry.generation) {
      this.#cache.clear();
      this.#generation = this.registry.generation;
    }
    let json = this.#cache.get(key);
    if (json === undefined) {
      json = JSON.stringify(render());
      this.#cache.set(key, json);
    }
    return json;
  }

  #groupVersions(): { name: string; versions: string[] }[] {
    const groups = this.registry.groups();
    for (const v of VIRTUAL_RESOURCES) {
      const g = groups.find((x) => x.name === v.group);
      if (!g) groups.push({ name: v.group, versions: [v.version] });
      else if (!g.versions.includes(v.version)) g.versions.push(v.version);
    }
    return groups;
  }

  /** `/api` (legacy). */
  coreVersions(serverAddress: string): string {
    return this.#cached(`api:${serverAddress}`, () => ({
      kind: "APIVersions",
      versions: ["v1"],
      serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
    }));
  }

  /** `/apis` (legacy). */
  groupList(): string {
    return this.#cached("apis", () => ({
      kind: "APIGroupList",
      apiVersion: "v1",
      groups: this.#groupVersions().filter((g) => g.name !== "").map((g) =>
        groupEntry(g.name, g.versions)
      ),
    }));
  }

  /** `/apis/<group>` (legacy), or undefined when not served. */
  group(name: string): string | undefined {
    const g = this.#groupVersions().find((x) => x.name === name && name !== "");
    if (!g) return undefined;
    return this.#cached(
      `group:${name}`,
      () => ({ kind: "APIGroup", apiVersion: "v1", ...groupEntry(g.name, g.versions) }),
    );
  }

  /** `/api/v1` or `/apis/<group>/<version>`, or undefined when not served. */
  resourceList(group: string, version: string): string | undefined {
    const stored = this.registry.inGroupVersion(group, version);
    const virtual = VIRTUAL_RESOURCES.filter((v) => v.group === group && v.version === version);
    if (stored.length === 0 && virtual.length === 0) return undefined;
    return this.#cached(`resources:${group}/${version}`, () => ({
      kind: "APIResourceList",
      apiVersion: "v1",
      groupVersion: group === "" ? version : `${group}/${version}`,
      resources: [
        ...stored.flatMap(legacyEntries),
        ...virtual.map((v) => ({
          name: v.plural,
          singularName: v.kind.toLowerCase(),
          namespaced: v.namespaced,
          kind: v.kind,
          verbs: v.verbs,
        })),
      ],
    }));
  }

  /** Aggregated discovery for `/api` (core only) or `/apis` (every other group). */
  aggregated(core: boolean): string {
    return this.#cached(`aggregated:${core}`, () => ({
      kind: "APIGroupDiscoveryList",
      apiVersion: "apidiscovery.k8s.io/v2",
      metadata: {},
      items: this.#groupVersions().filter((g) => (g.name === "") === core).map((g) => ({
        metadata: { name: g.name },
        versions: g.versions.map((version) => ({
          version,
          resources: [
            ...this.registry.inGroupVersion(g.name, version).map(aggregatedEntry),
            ...VIRTUAL_RESOURCES.filter((v) => v.group === g.name && v.version === version).map((
              v,
            ) => ({
              resource: v.plural,
              responseKind: { group: v.group, version: v.version, kind: v.kind },
              scope: v.namespaced ? "Namespaced" : "Cluster",
              singularResource: v.kind.toLowerCase(),
              verbs: v.verbs,
            })),
          ],
          freshness: "Current",
        })),
      })),
    }));
  }
}

function groupEntry(name: string, versions: string[]) {
  const entries = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: entries, preferredVersion: entries[0] };
}

function legacyEntries(r: RegisteredResource): Record<string, unknown>[] {
  const main: Record<string, unknown> = {
    name: r.info.plural,
    singularName: r.info.singular,
    namespaced: r.info.namespaced,
    kind: r.info.kind,
    verbs: r.verbs,
  };
  if (r.info.shortNames?.length) main.shortNames = r.info.shortNames;
  if (r.info.categories?.length) main.categories = r.info.categories;
  const subs = r.info.subresources.map((sub) => {
    const shape = SUBRESOURCES[sub] ?? { verbs: ["get"] };
    const entry: Record<string, unknown> = {
      name: `${r.info.plural}/${sub}`,
      singularName: "",
      namespaced: r.info.namespaced,
      kind: shape.kind ?? r.info.kind,
      verbs: shape.verbs,
    };
    if (shape.group !== undefined) entry.group = shape.group;
    if (shape.version !== undefined && shape.group !== undefined) entry.version = shape.version;
    return entry;
  });
  return [main, ...subs];
}

function aggregatedEntry(r: RegisteredResource): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    resource: r.info.plural,
    responseKind: { group: r.info.group, version: r.info.version, kind: r.info.kind },
    scope: r.info.namespaced ? "Namespaced" : "Cluster",
    singularResource: r.info.singular,
    verbs: r.verbs,
  };
  if (r.info.shortNames?.length) entry.shortNames = r.info.shortNames;
  if (r.info.categories?.length) entry.categories = r.info.categories;
  if (r.info.subresources.length) {
    entry.subresources = r.info.subresources.map((sub) => {
      const shape = SUBRESOURCES[sub] ?? { verbs: ["get"] };
      return {
        subresource: sub,
        responseKind: {
          group: shape.group ?? (shape.version ? "" : r.info.group),
          version: shape.version ?? r.info.version,
          kind: shape.kind ?? r.info.kind,
        },
        verbs: shape.verbs,
      };
    });
  }
  return entry;
}
