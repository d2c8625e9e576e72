/**
 * The one client interface informers read through: a list, then a watch from the list's
 * resourceVersion. Two transports implement it with the same semantics -- HTTP for the agent and
 * users (`http_list_watch.ts`), in-process for the server's own controllers
 * (`server/apiserver/in_process_list_watch.ts`, with no HTTP hop) -- so an informer does not know
 * which one it reads.
 *
 * Selectors belong to the transport when it is constructed: the list and every watch apply the
 * same ones.
 *
 * @module
 */
import type { KubeObject } from "../types.ts";

/** The kinds of change a watch reports; BOOKMARK only moves the resourceVersion on. */
export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK";

/** One change seen through the transport's selectors. */
export interface WatchEvent {
  type: WatchEventType;
  /** The object after the change (the last state for DELETED); only metadata for BOOKMARK. */
  object: KubeObject;
}

/** A full list: everything that matches now, and the revision to watch from. */
export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
}

/** List-then-watch of one resource, as an informer needs it. */
export interface ListWatch {
  /** What is listed (resource and selectors), for log lines. */
  readonly name: string;
  /**
   * The first delay before an informer over this transport restarts, when the informer is not
   * given one: a transport whose restarts cost a shared server requests asks for more.
   */
  readonly minBackoffMs?: number;
  /** Everything that matches now. */
  list(signal: AbortSignal): Promise<ListResult>;
  /**
   * Changes after `resourceVersion`. The iteration ends when the server closes the watch (the
   * caller resumes from the last resourceVersion it saw) or the signal aborts.
   * @throws {WatchExpiredError} when that revision is no longer available: list again.
   */
  watch(resourceVersion: string, signal: AbortSignal): AsyncIterable<WatchEvent>;
}

/**
 * A watch whose starting revision is gone (410 Gone after compaction, or an ERROR event): only a
 * new list can tell what changed meanwhile.
 */
export class WatchExpiredError extends Error {
  /** @param message The server's explanation. */
  constructor(message: string) {
    super(message);
    this.name = "WatchExpiredError";
  }
}
