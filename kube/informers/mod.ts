/**
 * Informers and work queues, the pieces every control loop is built from -- the server's
 * controllers in-process, the agent and simulated nodes over HTTP: list-then-watch through a
 * {@link ListWatch} transport, shared indexed caches, and work queues with rate-limited retries.
 *
 * @example
 * ```ts ignore
 * const pods = httpListWatch(client, "/api/v1/pods", { query: { fieldSelector: "spec.nodeName=a" } });
 * await runInformer(pods, handlers, { signal, logger, name: "pods of a" });
 * ```
 *
 * @module
 */
export type { ListWatch } from "../client/list_watch.ts";
export {
  type InformerHandlers,
  type InformerOptions,
  runInformer,
  untilAborted,
} from "./informer.ts";
export {
  type CacheEvent,
  type ControllerOptions,
  type IndexFunction,
  InformerCache,
  type ListWatchFactory,
  objectKey,
  SharedInformers,
  type SharedInformersOptions,
  splitKey,
} from "./shared_informers.ts";
export {
  controllerRunOptions,
  WorkQueue,
  type WorkQueueOptions,
  type WorkQueueRunOptions,
} from "./workqueue.ts";
