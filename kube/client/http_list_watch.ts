/**
 * {@link ListWatch} over HTTP with {@link KubeClient}: the list has a deadline of its own, each
 * watch asks for bookmarks (so a resumed watch starts from a recent revision) and for a
 * server-side timeout, after which the stream simply ends and the informer resumes.
 *
 * @module
 */
import type { KubeList, KubeObject } from "../types.ts";
import { apiErrorOf, type KubeClient, type Query } from "./client.ts";
import {
  type ListResult,
  type ListWatch,
  type WatchEvent,
  WatchExpiredError,
} from "./list_watch.ts";

/**
 * The deadline a client used for watches needs: longer than the longest watch
 * {@link httpListWatch} asks the server for (6 min).
 */
export const WATCH_CLIENT_TIMEOUT_MS = 420_000;

/**
 * The first restart delay of informers over HTTP ({@link ListWatch.minBackoffMs}): a restart
 * costs requests to a server that other clients share, so it waits twice the in-process default.
 */
const HTTP_MIN_BACKOFF_MS = 200;

/** Options of {@link httpListWatch}. */
export interface HttpListWatchOptions {
  /** Selectors (`labelSelector`, `fieldSelector`) of the list and of every watch. */
  query?: Query;
}

/** Deadline of the list request. */
const LIST_TIMEOUT_MS = 30_000;

/**
 * How long the server keeps one watch open: 5 to 6 min, spread so that many clients do not all
 * come back at once ({@link WATCH_CLIENT_TIMEOUT_MS} is longer).
 */
function watchTimeoutSeconds(): number {
  return 300 + Math.floor(Math.random() * 60);
}

/** Splits a text stream into lines. */
async function* lines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buffer = "";
  for await (const chunk of body.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    let newline;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line !== "") yield line;
    }
  }
  if (buffer.trim() !== "") yield buffer.trim();
}

/**
 * List-then-watch of one collection over HTTP.
 *
 * @param client Who lists and watches: one whose request deadline outlasts a watch
 *   ({@link WATCH_CLIENT_TIMEOUT_MS}).
 * @param path The collection, e.g. `/api/v1/pods`.
 * @example
 * ```ts ignore
 * const pods = httpListWatch(client, "/api/v1/pods", { query: { fieldSelector: "spec.nodeName=a" } });
 * await runInformer(pods, handlers, { signal, logger, name: "pods of a" });
 * ```
 */
export function httpListWatch(
  client: KubeClient,
  path: string,
  options: HttpListWatchOptions = {},
): ListWatch {
  const query = options.query ?? {};
  const shown = Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]) =>
    `${k}=${v}`
  );
  return {
    name: shown.length ? `${path}?${shown.join("&")}` : path,
    minBackoffMs: HTTP_MIN_BACKOFF_MS,

    async list(signal: AbortSignal): Promise<ListResult> {
      const list = await client.request<KubeList>("GET", path, {
        query,
        signal: AbortSignal.any([signal, AbortSignal.timeout(LIST_TIMEOUT_MS)]),
      });
      return { items: list.items, resourceVersion: list.metadata.resourceVersion ?? "" };
    },

    async *watch(resourceVersion: string, signal: AbortSignal): AsyncGenerator<WatchEvent> {
      const response = await client.fetch("GET", path, {
        query: {
          ...query,
          watch: "true",
          resourceVersion,
          allowWatchBookmarks: "true",
          timeoutSeconds: watchTimeoutSeconds(),
        },
        signal,
      });
      if (!response.ok) {
        const error = await apiErrorOf(response);
        throw error.code === 410 ? new WatchExpiredError(error.message) : error;
      }
      if (!response.body) return;
      for await (const line of lines(response.body)) {
        const event = JSON.parse(line) as { type: string; object: KubeObject };
        if (event.type === "ERROR") {
          // The server ends a watch with an ERROR event when its revision was compacted away
          // after the watch began; whatever the code, only a new list can catch up.
          throw new WatchExpiredError(
            String(event.object?.message ?? "watch ended with an error"),
          );
        }
        if (
          event.type === "ADDED" || event.type === "MODIFIED" || event.type === "DELETED" ||
          event.type === "BOOKMARK"
        ) {
          yield { type: event.type, object: event.object };
        }
      }
    },
  };
}
