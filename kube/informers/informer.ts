/**
 * List-then-watch through a {@link ListWatch}, as client-go's reflector does for an informer: a
 * full list replaces what the caller knows, then a watch from the list's revision streams
 * changes. A watch the server merely closed is resumed from the last revision seen, without a
 * new list; an expired one (its revision compacted away) or a failed one starts again from a
 * fresh list. Restarts wait a back-off that doubles up to a ceiling and resets once events flow
 * again, so a broken server is not hammered and a healthy one is caught up with quickly.
 *
 * @module
 */
import { type ListWatch, WatchExpiredError } from "../client/list_watch.ts";
import { pause } from "../pause.ts";
import type { KubeObject } from "../types.ts";
import type { Logger } from "../logger.ts";

/** What the informer feeds. */
export interface InformerHandlers {
  /** Everything that exists now; called on the first start and after every relist. */
  replace(items: KubeObject[]): void;
  /** One change after the list. */
  apply(type: "ADDED" | "MODIFIED" | "DELETED", object: KubeObject): void;
}

/** Options of {@link runInformer}. */
export interface InformerOptions {
  /** Stops the informer. */
  signal: AbortSignal;
  logger: Logger;
  /** Shown in log lines. */
  name: string;
  /**
   * First delay before a restart (default: the transport's `minBackoffMs`, else 100 ms); doubles
   * up to `maxBackoffMs`.
   */
  minBackoffMs?: number;
  /** Ceiling of the restart delay (default 10 s). */
  maxBackoffMs?: number;
}

/**
 * Runs until the signal aborts. Never rejects for list or watch errors: it logs and restarts.
 *
 * @param source The transport: HTTP or in-process, with its selectors.
 * @param handlers Called with every list and every change.
 * @example
 * ```ts ignore
 * await runInformer(source, {
 *   replace: (items) => console.log(items.length),
 *   apply: (type, object) => console.log(type, object.metadata.name),
 * }, { signal, logger, name: "pods" });
 * ```
 */
export async function runInformer(
  source: ListWatch,
  handlers: InformerHandlers,
  options: InformerOptions,
): Promise<void> {
  const { signal, logger, name } = options;
  const min = options.minBackoffMs ?? source.minBackoffMs ?? 100;
  const max = options.maxBackoffMs ?? 10_000;
  let backoff = min;
  const backOff = async () => {
    await pause(backoff, signal);
    backoff = Math.min(backoff * 2, max);
  };
  while (!signal.aborted) {
    try {
      const list = await source.list(signal);
      handlers.replace(list.items);
      let revision = list.resourceVersion;
      while (!signal.aborted) {
        let delivered = false;
        for await (const event of source.watch(revision, signal)) {
          delivered = true;
          backoff = min;
          revision = event.object.metadata?.resourceVersion || revision;
          if (event.type !== "BOOKMARK") handlers.apply(event.type, event.object);
        }
        // The watch ended without an error (the server's timeout, a datastore that dropped a
        // slow watcher): resume from the last revision seen, which loses nothing. One that ended
        // at once with nothing to show waits first, so a server closing every watch immediately
        // does not make this loop spin.
        if (!delivered) await backOff();
      }
    } catch (error) {
      if (signal.aborted) break;
      if (error instanceof WatchExpiredError) {
        logger.info("Watch expired; listing again", { informer: name, message: error.message });
      } else {
        logger.warn("Watch failed; restarting", {
          informer: name,
          error: String(error),
          backoff_ms: backoff,
        });
      }
    }
    await backOff();
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
