/**
 * Shared informers: one list-then-watch per resource feeding an indexed, in-memory copy of the
 * store that every controller reads, as client-go's shared informer factory. Where the lists and
 * watches come from (in-process stores, or a server over HTTP) is the caller's choice of
 * {@link ListWatchFactory}. Controllers read
 * from the cache and react to its events instead of each keeping (and watching for) their own
 * copy of every pod.
 *
 * Objects in the cache are shared: callers must not change them (clone first).
 *
 * @module
 */
import type { ListWatch } from "../client/list_watch.ts";
import type { KubeObject } from "../types.ts";
import { runInformer, untilAborted } from "./informer.ts";
import type { Logger } from "../logger.ts";

/** One change the cache saw. `old` is the object before a MODIFIED or DELETED. */
export interface CacheEvent {
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: KubeObject;
  old?: KubeObject;
}

/** Index values of an object, such as the UIDs of its owners. */
export type IndexFunction = (object: KubeObject) => readonly string[];

/** `namespace/name`, or `name` for cluster-scoped objects: the key of work queues. */
export function objectKey(object: KubeObject): string {
  const { namespace, name } = object.metadata;
  return namespace ? `${namespace}/${name}` : name!;
}

/** Splits an {@link objectKey}. */
export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const slash = key.indexOf("/");
  return slash < 0
    ? { namespace: undefined, name: key }
    : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/**
 * The cached objects of one resource, with indexes and change subscribers.
 *
 * Objects are kept without `metadata.managedFields`, as kube-controller-manager's and
 * kube-scheduler's informers trim them: no control loop reads them, an update that leaves them
 * out keeps the stored ones, and they are more than half of a cached pod (2.6 of 6.3 KB of heap
 * without and with, for a pod written by three managers).
 */
export class InformerCache {
  /** namespace ("" for cluster-scoped) -> name -> object. */
  #objects = new Map<string, Map<string, KubeObject>>();
  #indexers = new Map<string, IndexFunction>();
  /** index name -> value -> keys. */
  #indexes = new Map<string, Map<string, Set<string>>>();
  #handlers = new Set<(event: CacheEvent) => void>();
  #synced = false;
  #onSynced: (() => void)[] = [];
  #logger: Logger;

  /**
   * @param resource What is cached (e.g. `pods`), for error messages and log lines.
   * @param logger Where failing handlers are reported.
   */
  constructor(readonly resource: string, logger: Logger) {
    this.#logger = logger;
  }

  /** True once the first list arrived. */
  get hasSynced(): boolean {
    return this.#synced;
  }

  /** Resolves once the first list arrived. */
  synced(): Promise<void> {
    if (this.#synced) return Promise.resolve();
    return new Promise((resolve) => this.#onSynced.push(resolve));
  }

  /** One object, or undefined. */
  get(namespace: string | undefined, name: string): KubeObject | undefined {
    return this.#objects.get(namespace ?? "")?.get(name);
  }

  /** The objects of one namespace, or all of them. */
  list(namespace?: string): KubeObject[] {
    if (namespace !== undefined) return [...(this.#objects.get(namespace)?.values() ?? [])];
    const all: KubeObject[] = [];
    for (const byName of this.#objects.values()) all.push(...byName.values());
    return all;
  }

  /** Adds an index; objects already cached are indexed at once. */
  addIndex(name: string, indexFunction: IndexFunction): void {
    if (this.#indexers.has(name)) return;
    this.#indexers.set(name, indexFunction);
    const index = new Map<string, Set<string>>();
    this.#indexes.set(name, index);
    for (const object of this.list()) this.#indexOne(index, indexFunction, object);
  }

  /** The objects whose index `name` holds `value`. @throws {Error} for an unknown index */
  byIndex(name: string, value: string): KubeObject[] {
    const index = this.#indexes.get(name);
    if (!index) throw new Error(`no index ${name} on ${this.resource}`);
    const found: KubeObject[] = [];
    for (const key of index.get(value) ?? []) {
      const { namespace, name } = splitKey(key);
      const object = this.get(namespace, name);
      if (object) found.push(object);
    }
    return found;
  }

  /**
   * Calls `handler` for every change, starting with an ADDED for each object already cached (as
   * client-go replays the store to a new handler). Returns the unsubscribe function.
   */
  subscribe(handler: (event: CacheEvent) => void): () => void {
    this.#handlers.add(handler);
    for (const object of this.list()) this.#deliver(handler, { type: "ADDED", object });
    return () => this.#handlers.delete(handler);
  }

  #deliver(handler: (event: CacheEvent) => void, event: CacheEvent): void {
    try {
      handler(event);
    } catch (error) {
      this.#logger.error("Informer handler failed", {
        resource: this.resource,
        error: String(error),
      });
    }
  }

  #emit(event: CacheEvent): void {
    for (const handler of this.#handlers) this.#deliver(handler, event);
  }

  #indexOne(index: Map<string, Set<string>>, fn: IndexFunction, object: KubeObject): void {
    const key = objectKey(object);
    for (const value of fn(object)) {
      let keys = index.get(value);
      if (!keys) index.set(value, keys = new Set());
      keys.add(key);
    }
  }

  #unindexOne(index: Map<string, Set<string>>, fn: IndexFunction, object: KubeObject): void {
    const key = objectKey(object);
    for (const value of fn(object)) {
      const keys = index.get(value);
      keys?.delete(key);
      if (keys?.size === 0) index.delete(value);
    }
  }

  #put(object: KubeObject): KubeObject | undefined {
    // The transports hand every consumer its own decoded copy, so trimming it here is safe.
    delete object.metadata.managedFields;
    const ns = object.metadata.namespace ?? "";
    let byName = this.#objects.get(ns);
    if (!byName) this.#objects.set(ns, byName = new Map());
    const old = byName.get(object.metadata.name!);
    byName.set(object.metadata.name!, object);
    for (const [name, fn] of this.#indexers) {
      const index = this.#indexes.get(name)!;
      if (old) this.#unindexOne(index, fn, old);
      this.#indexOne(index, fn, object);
    }
    return old;
  }

  #remove(object: KubeObject): KubeObject | undefined {
    const ns = object.metadata.namespace ?? "";
    const byName = this.#objects.get(ns);
    const old = byName?.get(object.metadata.name!);
    if (!old) return undefined;
    byName!.delete(object.metadata.name!);
    if (byName!.size === 0) this.#objects.delete(ns);
    for (const [name, fn] of this.#indexers) this.#unindexOne(this.#indexes.get(name)!, fn, old);
    return old;
  }

  /** Takes a full list: what changed since the last one becomes events. */
  replace(items: KubeObject[]): void {
    const seen = new Set<string>();
    for (const object of items) {
      seen.add(objectKey(object));
      const old = this.get(object.metadata.namespace, object.metadata.name!);
      if (old && old.metadata.resourceVersion === object.metadata.resourceVersion) continue;
      this.#put(object);
      this.#emit(old ? { type: "MODIFIED", object, old } : { type: "ADDED", object });
    }
    for (const object of this.list()) {
      if (seen.has(objectKey(object))) continue;
      this.#remove(object);
      this.#emit({ type: "DELETED", object, old: object });
    }
    if (!this.#synced) {
      this.#synced = true;
      for (const resolve of this.#onSynced.splice(0)) resolve();
    }
  }

  /** Takes one watch event. */
  apply(type: "ADDED" | "MODIFIED" | "DELETED", object: KubeObject): void {
    if (type === "DELETED") {
      const old = this.#remove(object);
      this.#emit({ type, object, old: old ?? object });
      return;
    }
    const old = this.#put(object);
    this.#emit(old ? { type: "MODIFIED", object, old } : { type: "ADDED", object });
  }
}

/** What a controller reading shared caches is started with. */
export interface ControllerOptions {
  signal: AbortSignal;
  logger: Logger;
  /** Caches shared with other controllers; a private set is started when absent. */
  informers?: SharedInformers;
  /** Objects synced at once (default 5, as upstream). */
  workers?: number;
}

/** Options of {@link SharedInformers}. */
export interface SharedInformersOptions {
  /** Stops every informer. */
  signal: AbortSignal;
  logger: Logger;
}

/**
 * The list-then-watch of every object of a kind (no selectors: a shared cache holds them all).
 * Its {@link ListWatch.name} names the cache in log lines.
 */
export type ListWatchFactory = (group: string, kind: string) => ListWatch;

/** One cache per resource, started on first use and shared by every controller that asks. */
export class SharedInformers {
  #caches = new Map<string, InformerCache>();
  #runs: Promise<void>[] = [];

  /**
   * @param source Where each kind is listed and watched from.
   * @param options When to stop, where to log.
   */
  constructor(readonly source: ListWatchFactory, readonly options: SharedInformersOptions) {}

  /** The cache of a kind, started (list, then watch) if it was not already. */
  forKind(group: string, kind: string): InformerCache {
    const key = `${group}/${kind}`;
    let cache = this.#caches.get(key);
    if (cache) return cache;
    const source = this.source(group, kind);
    cache = new InformerCache(source.name, this.options.logger);
    this.#caches.set(key, cache);
    const started = cache;
    this.#runs.push(
      runInformer(source, {
        replace: (items) => started.replace(items),
        apply: (type, object) => started.apply(type, object),
      }, {
        signal: this.options.signal,
        logger: this.options.logger,
        name: `${source.name} (shared)`,
      }),
    );
    return cache;
  }

  /** Resolves once every given cache has its first list; rejects if stopped first. */
  synced(...caches: InformerCache[]): Promise<void> {
    return untilAborted(
      Promise.all(caches.map((c) => c.synced())).then(() => {}),
      this.options.signal,
    );
  }

  /** Settles once every informer has stopped (after the signal aborted). */
  async stopped(): Promise<void> {
    await Promise.all(this.#runs);
  }
}
