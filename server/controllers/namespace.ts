/**
 * Namespace deletion: once a namespace is marked for deletion, delete everything in it, then
 * remove the `kubernetes` finalizer so the namespace itself goes. Content that waits on its own
 * finalizers or grace period is retried until it is gone.
 *
 * @module
 */
import { pause } from "../../kube/pause.ts";
import type { KubeObject } from "../../kube/types.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import { watchStore } from "../apiserver/store_watch.ts";
import type { Logger } from "../log.ts";

/** Options of {@link startNamespaceController}. */
export interface NamespaceControllerOptions {
  signal: AbortSignal;
  logger: Logger;
  /** Delay before looking again at a namespace whose content is still going. */
  retryMs?: number;
}

/** Deletes what a namespace holds; true when nothing is left. */
async function emptyNamespace(stores: StoreSet, namespace: string): Promise<boolean> {
  let remaining = 0;
  for (const resource of stores.registry.all()) {
    if (!resource.info.namespaced) continue;
    const store = stores.lookup(resource.info.group, resource.info.version, resource.info.plural)!;
    const left = await store.deleteCollection(namespace, {}, { propagationPolicy: "Background" });
    remaining += left.items.filter((o) => o.metadata.deletionTimestamp !== undefined).length;
  }
  return remaining === 0;
}

/** Runs until the signal aborts. */
export async function startNamespaceController(
  stores: StoreSet,
  options: NamespaceControllerOptions,
): Promise<void> {
  const namespaces = stores.forKind("", "Namespace");
  const retryMs = options.retryMs ?? 1000;
  const busy = new Set<string>();
  const timers = new Set<ReturnType<typeof setTimeout>>();

  const sync = async (ns: KubeObject): Promise<void> => {
    const name = ns.metadata.name!;
    if (
      !ns.metadata.deletionTimestamp || !(ns.spec?.finalizers ?? []).includes("kubernetes") ||
      busy.has(name)
    ) return;
    busy.add(name);
    try {
      if (await emptyNamespace(stores, name)) {
        await namespaces.updateWith(undefined, name, (current) => {
          current.spec = {
            ...current.spec,
            finalizers: (current.spec?.finalizers ?? []).filter((f: string) => f !== "kubernetes"),
          };
          return current;
        }, { subresource: "finalize", fieldManager: "namespace-controller" });
        options.logger.info("Namespace emptied and removed", { namespace: name });
        return;
      }
    } catch (error) {
      options.logger.warn("Namespace cleanup failed; will retry", {
        namespace: name,
        error: String(error),
      });
    } finally {
      busy.delete(name);
    }
    if (options.signal.aborted) return;
    const timer = setTimeout(async () => {
      timers.delete(timer);
      const current = await namespaces.find(undefined, name).catch(() => undefined);
      if (current) await sync(current);
    }, retryMs);
    timers.add(timer);
  };

  try {
    // A watch ends on compaction or overflow: start again from a fresh list.
    while (!options.signal.aborted) {
      try {
        for await (
          const event of watchStore(namespaces, stores.deps.backend, undefined, {
            signal: options.signal,
          })
        ) {
          if (event.type === "ADDED" || event.type === "MODIFIED") void sync(event.object);
        }
      } catch (error) {
        if (!options.signal.aborted) {
          options.logger.warn("namespace watch ended; restarting", { error: String(error) });
        }
      }
      // Back off so a datastore that keeps failing is not hammered in a tight loop.
      await pause(retryMs, options.signal);
    }
  } finally {
    for (const t of timers) clearTimeout(t);
  }
}
