/**
 * The set of resources the API serves, built-in and added at run time. Discovery, OpenAPI and
 * routing all read from here; {@link ResourceRegistry.generation} tells caches when to rebuild.
 *
 * @module
 */
import type { ResourceInfo, ResourceStrategy } from "../registry/types.ts";
import { STANDARD_VERBS } from "../registry/catalog.ts";

/** A resource with its behaviour. */
export interface RegisteredResource {
  info: ResourceInfo;
  strategy: ResourceStrategy;
  /** `apps/v1` or `v1`. */
  apiVersion: string;
  /** Storage key prefix, ending in `/`: `/registry/apps/deployments/`. */
  keyPrefix: string;
  /** Verbs in discovery. */
  verbs: string[];
}

/** A group and the versions it serves, preferred first. */
export interface ServedGroup {
  name: string;
  versions: string[];
}

/** The resources served, indexed by group/version/plural. */
export class ResourceRegistry {
  #byPath = new Map<string, RegisteredResource>();
  #ordered: RegisteredResource[] = [];
  #generation = 0;

  /** Rises on every change. */
  get generation(): number {
    return this.#generation;
  }

  /** Adds (or replaces) a resource. */
  add(info: ResourceInfo, strategy: ResourceStrategy): RegisteredResource {
    const group = info.group === "" ? "core" : info.group;
    const registered: RegisteredResource = {
      info,
      strategy,
      apiVersion: info.group === "" ? info.version : `${info.group}/${info.version}`,
      keyPrefix: `/registry/${group}/${info.plural}/`,
      verbs: info.verbs ?? [...STANDARD_VERBS],
    };
    const path = `${info.group}/${info.version}/${info.plural}`;
    const existing = this.#byPath.get(path);
    if (existing) this.#ordered[this.#ordered.indexOf(existing)] = registered;
    else this.#ordered.push(registered);
    this.#byPath.set(path, registered);
    this.#generation++;
    return registered;
  }

  /** Removes a resource (a deleted CustomResourceDefinition). */
  remove(group: string, version: string, plural: string): void {
    const path = `${group}/${version}/${plural}`;
    const existing = this.#byPath.get(path);
    if (!existing) return;
    this.#byPath.delete(path);
    this.#ordered = this.#ordered.filter((r) => r !== existing);
    this.#generation++;
  }

  /** The resource at `/api(s)/<group>/<version>/<plural>`, if served. */
  lookup(group: string, version: string, plural: string): RegisteredResource | undefined {
    return this.#byPath.get(`${group}/${version}/${plural}`);
  }

  /** Finds a resource by group and kind (any served version). */
  byKind(group: string, kind: string): RegisteredResource | undefined {
    return this.#ordered.find((r) => r.info.group === group && r.info.kind === kind);
  }

  /** Every resource in registration order. */
  all(): readonly RegisteredResource[] {
    return this.#ordered;
  }

  /** Served groups in registration order ("" first when core is served). */
  groups(): ServedGroup[] {
    const groups = new Map<string, string[]>();
    for (const r of this.#ordered) {
      const versions = groups.get(r.info.group) ?? [];
      if (!versions.includes(r.info.version)) versions.push(r.info.version);
      groups.set(r.info.group, versions);
    }
    return [...groups].map(([name, versions]) => ({ name, versions }));
  }

  /** Resources of one group/version. */
  inGroupVersion(group: string, version: string): RegisteredResource[] {
    return this.#ordered.filter((r) => r.info.group === group && r.info.version === version);
  }
}
