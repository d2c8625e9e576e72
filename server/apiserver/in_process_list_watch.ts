/**
 * {@link ListWatch} over the server's own stores, for its controllers: the same list and watch
 * the HTTP API serves (`RestStore.list`, {@link watchStore}), with the same selectors, but no
 * HTTP hop and no serialisation. An informer cannot tell it from `kube/client/http_list_watch.ts`.
 *
 * @module
 */
import {
  type ListResult,
  type ListWatch,
  type WatchEvent,
  WatchExpiredError,
} from "../../kube/client/list_watch.ts";
import {
  type ListWatchFactory,
  SharedInformers,
  type SharedInformersOptions,
} from "../../kube/informers/shared_informers.ts";
import type { Backend } from "../storage/types.ts";
import type { StoreSet } from "./handler.ts";
import type { RestStore } from "./rest_store.ts";
import { watchStore } from "./store_watch.ts";

/** What {@link inProcessListWatch} lists and watches: one namespace or all, and selectors. */
export interface InProcessListWatchOptions {
  /** Only this namespace; every namespace when omitted. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/**
 * List-then-watch of one store.
 *
 * @param store The resource.
 * @param backend The datastore the store writes to (its watch source).
 * @example
 * ```ts ignore
 * const pods = inProcessListWatch(stores.forKind("", "Pod"), stores.deps.backend, {
 *   fieldSelector: "spec.nodeName=a",
 * });
 * await runInformer(pods, handlers, { signal, logger, name: "pods of a" });
 * ```
 */
export function inProcessListWatch(
  store: RestStore,
  backend: Backend,
  options: InProcessListWatchOptions = {},
): ListWatch {
  const { namespace, labelSelector, fieldSelector } = options;
  const selectors = [labelSelector, fieldSelector].filter((s) => s).join(",");
  return {
    name: store.resource.info.plural + (selectors ? ` (${selectors})` : ""),

    async list(): Promise<ListResult> {
      const list = await store.list(namespace, { labelSelector, fieldSelector });
      return { items: list.items, resourceVersion: list.metadata.resourceVersion ?? "" };
    },

    async *watch(resourceVersion: string, signal: AbortSignal): AsyncGenerator<WatchEvent> {
      // No bookmarks: they keep a resumed HTTP watch close to now, but this watch only ends
      // when the datastore drops it, and then it resumes from the last change it delivered.
      const events = watchStore(store, backend, namespace, {
        labelSelector,
        fieldSelector,
        resourceVersion,
        signal,
      });
      for await (const event of events) {
        if (event.type === "ERROR") {
          throw new WatchExpiredError(String(event.object.message ?? "watch expired"));
        }
        yield { type: event.type, object: event.object };
      }
    },
  };
}

/** The source of the server's shared informers: every object of a kind, from the stores. */
function inProcessListWatches(stores: StoreSet): ListWatchFactory {
  return (group, kind) => inProcessListWatch(stores.forKind(group, kind), stores.deps.backend);
}

/**
 * Shared informers over the stores (the default of every controller given none).
 *
 * @example
 * ```ts ignore
 * const informers = inProcessInformers(stores, { signal, logger });
 * ```
 */
export function inProcessInformers(
  stores: StoreSet,
  options: SharedInformersOptions,
): SharedInformers {
  return new SharedInformers(inProcessListWatches(stores), options);
}
