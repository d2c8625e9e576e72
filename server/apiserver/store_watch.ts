/**
 * Watch over the generic store: storage events become API watch events, filtered by selectors,
 * preceded by synthetic ADDED events when the caller starts from "now" (resourceVersion unset
 * or 0), with periodic BOOKMARKs when asked for.
 *
 * @module
 */
import { ApiError } from "../../kube/errors.ts";
import { parseLabelSelector } from "../../kube/selectors/labels.ts";
import { parseFieldSelector } from "../../kube/selectors/fields.ts";
import type { KubeObject } from "../../kube/types.ts";
import { type Backend, CompactedError, type KeyValue, type WatchEvent } from "../storage/types.ts";
import { decodeStored, listPrefix } from "./object_meta.ts";
import type { RestStore } from "./rest_store.ts";
import type { ApiWatchEvent, WatchOptions } from "./store_types.ts";

/** How often a watch that asked for bookmarks gets one. */
const BOOKMARK_INTERVAL_MS = 15_000;

/** A watch event with the stored value it came from (absent for synthetic events). */
export interface StoredWatchEvent extends ApiWatchEvent {
  kv?: KeyValue;
}

/** How {@link watchStore} hands out objects. */
export interface WatchSharing {
  /**
   * Decode each stored change once for every watcher that asks for sharing, and hand all of
   * them the same object: for readers that only serialise it (the HTTP watch), never for
   * callers that may keep or change what they get.
   */
  sharedObjects?: boolean;
}

/** Objects decoded once per stored change and API version, for watches that share them. */
const sharedDecodes = new WeakMap<KeyValue, Map<string, KubeObject>>();

/**
 * Streams changes of one resource (one namespace or all).
 * @throws {ApiError} 400 for a malformed resourceVersion or selector (before the first event).
 */
export async function* watchStore(
  store: RestStore,
  backend: Backend,
  namespace: string | undefined,
  options: WatchOptions,
  sharing: WatchSharing = {},
): AsyncGenerator<StoredWatchEvent> {
  const resource = store.resource;
  const labels = parseLabelSelector(options.labelSelector);
  const fields = parseFieldSelector(options.fieldSelector, resource.strategy.fieldSelectors ?? {});
  const matches = (obj: KubeObject) => labels.matches(obj.metadata.labels) && fields.matches(obj);
  const decodeOwn = (kv: KeyValue) => {
    const obj = decodeStored(kv.value, kv.modRevision);
    obj.apiVersion = resource.apiVersion;
    obj.kind = resource.info.kind;
    return obj;
  };
  const decodeShared = (kv: KeyValue) => {
    let byVersion = sharedDecodes.get(kv);
    if (!byVersion) sharedDecodes.set(kv, byVersion = new Map());
    let obj = byVersion.get(resource.apiVersion);
    if (!obj) byVersion.set(resource.apiVersion, obj = decodeOwn(kv));
    return obj;
  };
  const decode = sharing.sharedObjects ? decodeShared : decodeOwn;

  let after: number;
  const rv = options.resourceVersion;
  if (rv === undefined || rv === "" || rv === "0" || options.sendInitialEvents) {
    const list = await store.list(namespace, {
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
    });
    for (const item of list.items) yield { type: "ADDED", object: item };
    after = Number(list.metadata.resourceVersion);
    if (options.sendInitialEvents && options.allowWatchBookmarks) {
      yield bookmark(resource.apiVersion, resource.info.kind, after, true);
    }
  } else {
    after = Number(rv);
    if (!Number.isInteger(after) || after < 0) {
      throw ApiError.badRequest(`invalid resource version: ${JSON.stringify(rv)}`);
    }
  }

  const iterator = backend.watch(listPrefix(resource, namespace), {
    afterRevision: after,
    signal: options.signal,
  })[
    Symbol.asyncIterator
  ]();
  let lastRevision = after;
  let pending: Promise<IteratorResult<WatchEvent[]>> | undefined;
  try {
    while (!options.signal.aborted) {
      pending ??= iterator.next();
      let result: IteratorResult<WatchEvent[]> | "bookmark";
      if (options.allowWatchBookmarks) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const tick = new Promise<"bookmark">((resolve) => {
          timer = setTimeout(() => resolve("bookmark"), BOOKMARK_INTERVAL_MS);
        });
        result = await Promise.race([pending, tick]);
        clearTimeout(timer);
      } else {
        result = await pending;
      }
      if (result === "bookmark") {
        yield bookmark(resource.apiVersion, resource.info.kind, lastRevision, false);
        continue;
      }
      pending = undefined;
      if (result.done) return;
      for (const event of result.value) {
        lastRevision = event.kv.modRevision;
        const converted = convert(event, decode, matches);
        if (converted) yield converted;
      }
    }
  } catch (error) {
    if (error instanceof CompactedError) {
      yield {
        type: "ERROR",
        object: ApiError.expired(
          `too old resource version: ${error.requested} (${error.compacted})`,
        ).toStatus() as unknown as KubeObject,
      };
      return;
    }
    throw error;
  } finally {
    await iterator.return?.();
  }
}

/** One storage event as the client sees it through its selectors. */
function convert(
  event: WatchEvent,
  decode: (kv: KeyValue) => KubeObject,
  matches: (obj: KubeObject) => boolean,
): StoredWatchEvent | undefined {
  const kv = event.kv;
  if (event.type === "create") {
    const obj = decode(kv);
    return matches(obj) ? { type: "ADDED", object: obj, kv } : undefined;
  }
  if (event.type === "delete") {
    const obj = decode(kv);
    return matches(obj) ? { type: "DELETED", object: obj, kv } : undefined;
  }
  const obj = decode(kv);
  const now = matches(obj);
  const before = event.prevKv ? matches(decode(event.prevKv)) : now;
  if (now && before) return { type: "MODIFIED", object: obj, kv };
  if (now) return { type: "ADDED", object: obj, kv };
  if (before) return { type: "DELETED", object: obj, kv };
  return undefined;
}

function bookmark(
  apiVersion: string,
  kind: string,
  revision: number,
  initialEnd: boolean,
): ApiWatchEvent {
  const object: KubeObject = { apiVersion, kind, metadata: { resourceVersion: String(revision) } };
  if (initialEnd) object.metadata.annotations = { "k8s.io/initial-events-end": "true" };
  return { type: "BOOKMARK", object };
}
