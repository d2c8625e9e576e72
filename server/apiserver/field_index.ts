/**
 * An in-memory index of one selectable field (pods by `spec.nodeName`), as upstream's watch
 * cache keeps for kubelets: a list with `fieldSelector=spec.nodeName=n1` reads the few keys the
 * index names instead of scanning and decoding every pod. Only keys are kept, not objects, so the
 * index costs little memory; the objects are read from the datastore at the index's revision,
 * which keeps the list a consistent snapshot.
 *
 * It is built on first use (a paged list at one revision) and kept current by a datastore watch.
 * When that watch ends (the datastore dropped a slow watcher, compaction, close) the index is
 * dropped, lookups answer "scan instead" meanwhile, and the next one builds it again.
 *
 * @module
 */
import type { Backend, KeyValue } from "../storage/types.ts";

/** Reads the indexed field from a stored object; undefined when the object cannot be read. */
export type StoredFieldReader = (kv: KeyValue) => string | undefined;

/** Keys whose field had one value at one revision. */
export interface FieldIndexSnapshot {
  revision: number;
  /** In key order. */
  keys: string[];
}

/** Keys per page while the index is built, so the build does not hold the event loop long. */
const BUILD_PAGE = 500;

/** The live state of an index: built up to `revision`, kept current by `feed`. */
interface LiveIndex {
  keysByValue: Map<string, Set<string>>;
  valueByKey: Map<string, string>;
  revision: number;
  /** Set when the feed stopped: the index no longer follows the datastore. */
  ended: boolean;
}

/** One field of the objects under one key prefix. */
export class FieldIndex {
  readonly #backend: Backend;
  readonly #prefix: string;
  readonly #read: StoredFieldReader;
  #live: Promise<LiveIndex> | undefined;

  /**
   * @param prefix The resource's key prefix (every namespace).
   * @param read The field's value in a stored object.
   */
  constructor(backend: Backend, prefix: string, read: StoredFieldReader) {
    this.#backend = backend;
    this.#prefix = prefix;
    this.#read = read;
  }

  /**
   * The keys whose field is `value`, as of a revision no older than the datastore's current one
   * when this was called (a consistent read, as a LIST without a resourceVersion is), or
   * undefined when the index cannot answer (the caller scans instead).
   */
  async lookup(value: string): Promise<FieldIndexSnapshot | undefined> {
    const wanted = await this.#backend.currentRevision();
    const building = this.#live ??= this.#build();
    let live: LiveIndex;
    try {
      live = await building;
    } catch {
      return this.#drop(building);
    }
    if (live.ended) return this.#drop(building);
    // The feed's last change may be older than `wanted` (writes to other resources count too):
    // once the watches have caught up with `wanted`, the index holds every change up to it.
    if (live.revision < wanted) {
      try {
        await this.#backend.watchesCaughtUp(wanted);
      } catch {
        return this.#drop(building); // the caller scans instead
      }
    }
    // The feed ended meanwhile: this index may have missed changes.
    if (live.ended) return this.#drop(building);
    return {
      revision: Math.max(live.revision, wanted),
      keys: [...(live.keysByValue.get(value) ?? [])].sort(),
    };
  }

  /** Forgets an index that stopped following the datastore; the next lookup builds anew. */
  #drop(index: Promise<LiveIndex>): undefined {
    if (this.#live === index) this.#live = undefined;
    return undefined;
  }

  async #build(): Promise<LiveIndex> {
    const live: LiveIndex = {
      keysByValue: new Map(),
      valueByKey: new Map(),
      revision: 0,
      ended: false,
    };
    let startAfter: string | undefined;
    for (;;) {
      const page = await this.#backend.list(this.#prefix, {
        revision: live.revision,
        startAfter,
        limit: BUILD_PAGE,
      });
      live.revision = page.revision;
      for (const kv of page.kvs) this.#put(live, kv);
      if (page.remaining === 0 || page.kvs.length === 0) break;
      startAfter = page.kvs[page.kvs.length - 1].key;
    }
    this.#feed(live);
    return live;
  }

  /** Applies changes after the build's revision until the watch ends, then drops the index. */
  async #feed(live: LiveIndex): Promise<void> {
    const stop = new AbortController();
    try {
      const batches = this.#backend.watch(this.#prefix, {
        afterRevision: live.revision,
        signal: stop.signal,
      });
      for await (const batch of batches) {
        for (const event of batch) {
          if (event.type === "delete") this.#remove(live, event.kv.key);
          else this.#put(live, event.kv);
          live.revision = event.kv.modRevision;
        }
      }
    } catch {
      // Compacted or closed: a later lookup builds the index again.
    } finally {
      stop.abort();
      live.ended = true;
    }
  }

  #put(live: LiveIndex, kv: KeyValue): void {
    const value = this.#read(kv);
    const old = live.valueByKey.get(kv.key);
    if (old === value) return;
    if (old !== undefined) this.#remove(live, kv.key);
    if (value === undefined) return;
    live.valueByKey.set(kv.key, value);
    let keys = live.keysByValue.get(value);
    if (!keys) live.keysByValue.set(value, keys = new Set());
    keys.add(kv.key);
  }

  #remove(live: LiveIndex, key: string): void {
    const old = live.valueByKey.get(key);
    if (old === undefined) return;
    live.valueByKey.delete(key);
    const keys = live.keysByValue.get(old)!;
    keys.delete(key);
    if (keys.size === 0) live.keysByValue.delete(old);
  }
}
