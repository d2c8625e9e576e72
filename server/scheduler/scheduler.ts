/**
 * The scheduler: informers keep the cache (nodes, bound pods) and the queue (pending pods)
 * current; one loop takes pods off the queue one at a time, decides, assumes the pod onto its
 * node and goes on to the next while the binding and its Event are written in the background
 * (a bounded number at once). A pod that fits nowhere gets a FailedScheduling Event and
 * PodScheduled=False, and waits for a cluster change.
 *
 * @module
 */
import { setImmediate } from "node:timers";
import { ApiError } from "../../kube/errors.ts";
import type { KubeObject } from "../../kube/types.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import type { RestStore } from "../apiserver/rest_store.ts";
import { errorMessage } from "../controllers/api_errors.ts";
import { EventRecorder } from "../controllers/event_recorder.ts";
import { runInformer, untilAborted } from "../../kube/informers/informer.ts";
import { inProcessListWatch } from "../apiserver/in_process_list_watch.ts";
import { objectKey } from "../../kube/informers/shared_informers.ts";
import type { Logger } from "../log.ts";
import { DEFAULT_SCHEDULER_NAME, isPendingForUs, podSpec } from "./api_types.ts";
import { bindPod, markUnschedulable, SCHEDULER_FIELD_MANAGER, SCHEDULER_USER } from "./binding.ts";
import { SchedulerCache } from "./cache.ts";
import { type QueuedPod, SchedulingQueue, type SchedulingQueueOptions } from "./queue.ts";
import { type ScheduleCursor, schedulePod } from "./schedule_pod.ts";

/** Options of {@link startScheduler}. */
export interface SchedulerOptions {
  /** Stops the scheduler. */
  signal: AbortSignal;
  /** Where failures and (at debug) each decision are logged. */
  logger: Logger;
  /** Share of nodes to find feasible before scoring; 0 (default) adapts as upstream's. */
  percentageOfNodesToScore?: number;
  /** Bindings and failure reports being written at once, at most (default 256). */
  maxInFlight?: number;
  /** Back-off and retry timings of the queue. */
  queue?: SchedulingQueueOptions;
  /** Called once a pod's binding is stored (benchmarks and tests watch progress with it). */
  onBound?: (pod: KubeObject, node: string) => void;
  /** Random numbers in [0, 1) for tie-breaks; tests may fix them. */
  random?: () => number;
}

/** How long the loop decides before letting the event loop deliver writes and watch events. */
const TIME_SLICE_MS = 10;

/** Yields to the event loop (I/O, timers, group commit), not just to other microtasks. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Counts concurrent background writes and lets the loop wait for a free slot. */
class InFlight {
  #count = 0;
  #waiting: (() => void)[] = [];
  constructor(readonly limit: number) {}

  /** Resolves once fewer than `limit` tasks run. */
  async slot(): Promise<void> {
    while (this.#count >= this.limit) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
  }

  /** Runs a task in the background, counted until it settles. */
  run(task: () => Promise<void>): void {
    this.#count++;
    task().finally(() => {
      this.#count--;
      this.#waiting.shift()?.();
      if (this.#count === 0) { for (const resolve of this.#waiting.splice(0)) resolve(); }
    });
  }

  /** Resolves once nothing runs. */
  async idle(): Promise<void> {
    while (this.#count > 0) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
  }
}

class Scheduler {
  readonly cache = new SchedulerCache();
  readonly queue: SchedulingQueue;
  readonly #pods: RestStore;
  readonly #recorder: EventRecorder;
  readonly #options: SchedulerOptions;
  readonly #inFlight: InFlight;
  readonly #cursor: ScheduleCursor = { nextStartNodeIndex: 0 };

  constructor(stores: StoreSet, options: SchedulerOptions) {
    this.#options = options;
    this.#pods = stores.forKind("", "Pod");
    this.#recorder = new EventRecorder(stores.forKind("", "Event"), {
      component: DEFAULT_SCHEDULER_NAME,
      logger: options.logger,
      // A pod that stays unschedulable starts a new FailedScheduling series every 10 minutes.
      seriesWindowMs: 10 * 60_000,
    });
    this.queue = new SchedulingQueue(options.queue);
    this.#inFlight = new InFlight(options.maxInFlight ?? 256);
  }

  /** A pod as the informer reports it: to the cache if bound, to the queue if ours to place. */
  applyPod(type: "ADDED" | "MODIFIED" | "DELETED", pod: KubeObject): void {
    const uid = pod.metadata.uid!;
    if (type === "DELETED") {
      this.queue.delete(uid);
      if (this.cache.removePod(uid)) this.queue.moveAllUnschedulable();
      return;
    }
    if (podSpec(pod).nodeName) {
      this.queue.delete(uid);
      if (this.cache.setPod(pod)) this.queue.moveAllUnschedulable();
      return;
    }
    // A pod being bound still looks pending until its binding comes back through the watch.
    if (this.cache.isAssumed(uid)) return;
    if (isPendingForUs(pod)) this.queue.add(pod);
    else this.queue.delete(uid);
  }

  /** Everything the pod informer listed (first start and every relist). */
  replacePods(pods: KubeObject[]): void {
    this.cache.replacePods(pods);
    const listed = new Set<string>();
    for (const pod of pods) {
      const uid = pod.metadata.uid!;
      listed.add(uid);
      if (podSpec(pod).nodeName) this.queue.delete(uid);
      else this.applyPod("ADDED", pod);
    }
    for (const uid of this.queue.uids()) {
      const entry = this.queue.get(uid)!;
      if (!listed.has(uid) && entry.state !== "scheduling") this.queue.delete(uid);
    }
    this.queue.moveAllUnschedulable();
  }

  /** A node as the informer reports it; a new or changed node may let waiting pods fit. */
  applyNode(type: "ADDED" | "MODIFIED" | "DELETED", node: KubeObject): void {
    if (type === "DELETED") {
      this.cache.removeNode(node.metadata.name!);
      return;
    }
    if (this.cache.setNode(node) || type === "ADDED") this.queue.moveAllUnschedulable();
  }

  /** Everything the node informer listed. */
  replaceNodes(nodes: KubeObject[]): void {
    this.cache.replaceNodes(nodes);
    this.queue.moveAllUnschedulable();
  }

  /** Takes pods off the queue until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    let sliceStart = performance.now();
    while (!signal.aborted) {
      await this.#inFlight.slot();
      const entry = this.queue.tryPop() ?? await this.queue.pop(signal);
      if (!entry) break;
      try {
        this.#scheduleOne(entry);
      } catch (error) {
        // A bug must not stop scheduling for everyone: log it and try this pod again later.
        this.#options.logger.error("Scheduling attempt failed", {
          pod: objectKey(entry.pod),
          error: String(error),
        });
        this.queue.retry(entry);
      }
      if (performance.now() - sliceStart > TIME_SLICE_MS) {
        await nextTurn();
        sliceStart = performance.now();
      }
    }
    await this.#inFlight.idle();
  }

  #scheduleOne(entry: QueuedPod): void {
    const pod = entry.pod;
    const result = schedulePod(pod, this.cache, this.#cursor, {
      percentageOfNodesToScore: this.#options.percentageOfNodesToScore,
      random: this.#options.random,
    });
    if (!result.node) {
      this.#unschedulable(entry, result.message);
      return;
    }
    const node = result.node.name;
    this.cache.assume(pod, node, result.input.requests);
    this.#inFlight.run(() => this.#bind(entry, pod, node));
  }

  async #bind(entry: QueuedPod, pod: KubeObject, node: string): Promise<void> {
    const { logger } = this.#options;
    const { namespace, name } = pod.metadata;
    try {
      await bindPod(this.#pods, namespace!, name!, node, {
        user: SCHEDULER_USER,
        fieldManager: SCHEDULER_FIELD_MANAGER,
      });
    } catch (error) {
      this.cache.forget(pod.metadata.uid!);
      // The room it held is free again for the others.
      this.queue.moveAllUnschedulable();
      if (error instanceof ApiError && error.code === 404) {
        this.queue.delete(entry.uid);
        return;
      }
      this.queue.retry(entry);
      logger.warn("Binding failed; will retry", {
        pod: objectKey(pod),
        node,
        error: String(error),
      });
      await this.#recorder.post(pod, {
        type: "Warning",
        reason: "FailedScheduling",
        action: "Scheduling",
        message: `Binding rejected: ${errorMessage(error)}`,
      });
      return;
    }
    this.queue.scheduled(entry);
    this.#options.onBound?.(pod, node);
    logger.debug("Successfully bound pod to node", { pod: objectKey(pod), node });
    await this.#recorder.post(pod, {
      type: "Normal",
      reason: "Scheduled",
      action: "Binding",
      message: `Successfully assigned ${namespace}/${name} to ${node}`,
    });
  }

  #unschedulable(entry: QueuedPod, message: string): void {
    const pod = entry.pod;
    this.queue.unschedulable(entry);
    this.#options.logger.debug("Unable to schedule pod; waiting", {
      pod: objectKey(pod),
      message,
    });
    this.#inFlight.run(async () => {
      await Promise.all([
        this.#recorder.post(pod, {
          type: "Warning",
          reason: "FailedScheduling",
          action: "Scheduling",
          message,
        }),
        markUnschedulable(this.#pods, pod, "Unschedulable", message).catch((error) =>
          this.#options.logger.warn("PodScheduled condition not written", {
            pod: objectKey(pod),
            error: String(error),
          })
        ),
      ]);
    });
  }

  close(): void {
    this.queue.close();
  }
}

/**
 * Runs the scheduler until the signal aborts: places every pending pod whose `schedulerName` is
 * `default-scheduler` (or unset).
 * @returns a promise that settles after the informers stopped and in-flight writes finished.
 */
export async function startScheduler(stores: StoreSet, options: SchedulerOptions): Promise<void> {
  const { signal, logger } = options;
  const scheduler = new Scheduler(stores, options);
  let podsListed!: () => void;
  let nodesListed!: () => void;
  const synced = Promise.all([
    new Promise<void>((resolve) => podsListed = resolve),
    new Promise<void>((resolve) => nodesListed = resolve),
  ]).then(() => undefined);
  const backend = stores.deps.backend;
  const informers = [
    runInformer(inProcessListWatch(stores.forKind("", "Node"), backend), {
      replace(items) {
        scheduler.replaceNodes(items);
        nodesListed();
      },
      apply: (type, node) => scheduler.applyNode(type, node),
    }, { signal, logger, name: "scheduler-nodes" }),
    runInformer(inProcessListWatch(stores.forKind("", "Pod"), backend), {
      replace(items) {
        scheduler.replacePods(items);
        podsListed();
      },
      apply: (type, pod) => scheduler.applyPod(type, pod),
    }, { signal, logger, name: "scheduler-pods" }),
  ];
  try {
    await untilAborted(synced, signal);
    logger.debug("Scheduler caches synced", { nodes: scheduler.cache.nodes.length });
    await scheduler.run(signal);
  } catch (error) {
    if (!signal.aborted) throw error;
  } finally {
    scheduler.close();
    await Promise.allSettled(informers);
  }
}
