/**
 * List-then-watch of one store, as client-go's reflector does for an informer: a full list
 * replaces what the caller knows, then a watch from the list's revision streams changes. When the
 * watch ends (compaction, overflow, a datastore error) it starts again from a fresh list after a
 * back-off that doubles up to a ceiling and resets once events flow again.
 *
 * @module
 */
import { pause } from "../../kube/pause.ts";
import type { KubeObject } from "../../kube/types.ts";
import type { RestStore } from "../apiserver/rest_store.ts";
import { watchStore } from "../apiserver/store_watch.ts";
import type { Backend } from "../storage/types.ts";
import type { Logger } from "../log.ts";

/** What the informer feeds. */
export interface InformerHandlers {
  /** Everything that exists now; called on the first start and after every restart. */
  replace(items: KubeObject[]): void;
  /** One change after the list. */
  apply(type: "ADDED" | "MODIFIED" | "DELETED", object: KubeObject): void;
}

/** Options of {@link runInformer}. */
export interface InformerOptions {
  signal: AbortSignal;
  logger: Logger;
  /** Shown in log lines. */
  name: string;
  /** First delay before a restart; doubles up to {@link InformerOptions.maxBackoffMs}. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/** Runs until the signal aborts. Never rejects for store errors: it logs and restarts. */
export async function runInformer(
  store: RestStore,
  backend: Backend,
  handlers: InformerHandlers,
  options: InformerOptions,
): Promise<void> {
  const min = options.minBackoffMs ?? 100;
  const max = options.maxBackoffMs ?? 10_000;
  let backoff = min;
  while (!options.signal.aborted) {
    try {
      const list = await store.list(undefined);
      handlers.replace(list.items);
      const events = watchStore(store, backend, undefined, {
        resourceVersion: list.metadata.resourceVersion,
        signal: options.signal,
      });
      for await (const event of events) {
        if (event.type === "BOOKMARK") continue;
        if (event.type === "ERROR") {
          options.logger.info("Watch expired; listing again", {
            informer: options.name,
            message: String(event.object.message ?? ""),
          });
          break;
        }
        handlers.apply(event.type, event.object);
        backoff = min;
      }
    } catch (error) {
      if (options.signal.aborted) break;
      options.logger.warn("Watch failed; restarting", {
        informer: options.name,
        error: String(error),
        backoff_ms: backoff,
      });
    }
    await pause(backoff, options.signal);
    backoff = Math.min(backoff * 2, max);
  }
}

/**
 * The promise, or a rejection with the signal's reason once it aborts first: a server that is
 * stopping stops waiting for a sync that will not come.
 */
export function untilAborted(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    });
  });
}
