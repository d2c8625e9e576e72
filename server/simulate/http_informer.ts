/**
 * List-then-watch over HTTP with {@link KubeClient}, the remote twin of
 * `server/controllers/informer.ts`: a list replaces what the caller knows, a watch from the
 * list's resourceVersion streams changes, a watch the server closes (timeoutSeconds) resumes
 * from the last revision seen, and an expired one (410) lists again after a back-off.
 *
 * @module
 */
import { apiErrorOf, type KubeClient, type Query } from "../../kube/client/mod.ts";
import { ApiError } from "../../kube/errors.ts";
import { pause } from "../../kube/pause.ts";
import type { KubeList, KubeObject } from "../../kube/types.ts";
import type { InformerHandlers, InformerOptions } from "../controllers/informer.ts";

/**
 * The deadline a client used for watches needs: longer than the longest watch
 * {@link runHttpInformer} asks the server for (6 min).
 */
export const WATCH_CLIENT_TIMEOUT_MS = 420_000;

/**
 * Options of {@link runHttpInformer}: the in-process informer's (back-off from 200 ms up to
 * 10 s unless told otherwise) and the deadlines of its requests.
 */
export interface HttpInformerOptions extends InformerOptions {
  /** Deadline of the list request; 30 s when omitted. */
  listTimeoutMs?: number;
  /**
   * How long the server keeps one watch open; 5 to 6 min when omitted. The client's own
   * deadline must be longer.
   */
  watchTimeoutSeconds?: number;
}

/** A watch the server ended with an error event (410 Gone after compaction, mostly). */
class WatchExpired extends Error {}

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
 * Runs until the signal aborts. Never rejects for API errors: it logs and starts again.
 *
 * @param client Who lists and watches.
 * @param path The collection, e.g. `/api/v1/pods`.
 * @param query Selectors (`labelSelector`, `fieldSelector`).
 * @param handlers Called with the list and every change.
 * @example
 * ```ts
 * await runHttpInformer(client, "/api/v1/pods", { fieldSelector: "spec.nodeName=a" }, {
 *   replace: (pods) => console.log(pods.length),
 *   apply: (type, pod) => console.log(type, pod.metadata.name),
 * }, { signal, logger, name: "pods" });
 * ```
 */
export async function runHttpInformer(
  client: KubeClient,
  path: string,
  query: Query,
  handlers: InformerHandlers,
  options: HttpInformerOptions,
): Promise<void> {
  const min = options.minBackoffMs ?? 200;
  const max = options.maxBackoffMs ?? 10_000;
  const signal = options.signal;
  let backoff = min;
  while (!signal.aborted) {
    try {
      const list = await client.request<KubeList>("GET", path, {
        query,
        signal: AbortSignal.any([signal, AbortSignal.timeout(options.listTimeoutMs ?? 30_000)]),
      });
      handlers.replace(list.items);
      let revision = list.metadata.resourceVersion ?? "";
      backoff = min;
      // Watch, and resume from the last revision each time the server closes the stream.
      while (!signal.aborted) {
        const timeout = options.watchTimeoutSeconds ?? 300 + Math.floor(Math.random() * 60);
        const response = await client.fetch("GET", path, {
          query: {
            ...query,
            watch: "true",
            resourceVersion: revision,
            allowWatchBookmarks: "true",
            timeoutSeconds: timeout,
          },
          signal,
        });
        if (!response.ok) throw await apiErrorOf(response);
        if (!response.body) break;
        for await (const line of lines(response.body)) {
          const event = JSON.parse(line) as { type: string; object: KubeObject };
          if (event.type === "ERROR") {
            throw new WatchExpired(String(event.object?.message ?? "watch ended with an error"));
          }
          revision = event.object.metadata?.resourceVersion ?? revision;
          if (event.type === "BOOKMARK") continue;
          if (event.type === "ADDED" || event.type === "MODIFIED" || event.type === "DELETED") {
            handlers.apply(event.type, event.object);
          }
        }
      }
    } catch (error) {
      if (signal.aborted) break;
      if (error instanceof WatchExpired || (error instanceof ApiError && error.code === 410)) {
        options.logger.debug("Watch expired; listing again", {
          informer: options.name,
          message: (error as Error).message,
        });
      } else {
        options.logger.warn("Watch failed; restarting", {
          informer: options.name,
          error: String(error),
          backoff_ms: backoff,
        });
      }
    }
    await pause(backoff, signal);
    backoff = Math.min(backoff * 2, max);
  }
}
