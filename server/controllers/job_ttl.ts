/**
 * The TTL-after-finished controller: deletes a finished Job (Complete or Failed) with Background
 * propagation `ttlSecondsAfterFinished` after it finished, as upstream's separate controller --
 * one timer per Job to its expiry, and a fresh read before deleting, so a TTL changed meanwhile
 * is honoured.
 *
 * @module
 */
import type { KubeObject } from "../../kube/types.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import { isConflict, isNotFound } from "../../kube/errors.ts";
import { finishedCondition } from "./job_tracking.ts";
import {
  type CacheEvent,
  type ControllerOptions,
  objectKey,
  splitKey,
} from "../../kube/informers/shared_informers.ts";
import { inProcessInformers } from "../apiserver/in_process_list_watch.ts";
import { controllerRunOptions, WorkQueue } from "../../kube/informers/workqueue.ts";

/** Options of {@link startJobTtlController}. */
export interface JobTtlControllerOptions extends ControllerOptions {
  /** Milliseconds since the epoch (tests may fix it). */
  now?: () => number;
}

/**
 * When a finished Job with a TTL expires (ms since the epoch); undefined when it has no TTL or
 * has not finished.
 */
export function jobExpiresAt(job: KubeObject): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (typeof ttl !== "number" || job.metadata.deletionTimestamp) return undefined;
  const finished = finishedCondition(job);
  if (!finished) return undefined;
  const at = Date.parse(job.status?.completionTime ?? finished.lastTransitionTime ?? "");
  return Number.isNaN(at) ? undefined : at + ttl * 1000;
}

/** Runs until the signal aborts. */
export async function startJobTtlController(
  stores: StoreSet,
  options: JobTtlControllerOptions,
): Promise<void> {
  const { signal, logger } = options;
  const now = options.now ?? Date.now;
  const informers = options.informers ??
    inProcessInformers(stores, { signal, logger });
  const jobs = informers.forKind("batch", "Job");
  const jobStore = stores.forKind("batch", "Job");
  const queue = new WorkQueue();

  jobs.subscribe(({ type, object }: CacheEvent) => {
    if (type !== "DELETED" && jobExpiresAt(object) !== undefined) queue.add(objectKey(object));
  });

  const sync = async (key: string) => {
    const { namespace, name } = splitKey(key);
    const cached = jobs.get(namespace, name);
    if (!cached) return;
    const expiresAt = jobExpiresAt(cached);
    if (expiresAt === undefined) return;
    if (expiresAt > now()) return queue.addAfter(key, expiresAt - now());
    // The cache may be behind a change of the TTL: decide on a fresh copy.
    const fresh = await jobStore.find(namespace, name);
    if (!fresh || fresh.metadata.uid !== cached.metadata.uid) return;
    const freshExpiry = jobExpiresAt(fresh);
    if (freshExpiry === undefined) return;
    if (freshExpiry > now()) return queue.addAfter(key, freshExpiry - now());
    try {
      await jobStore.delete(namespace, name, {
        propagationPolicy: "Background",
        preconditions: { uid: fresh.metadata.uid, resourceVersion: fresh.metadata.resourceVersion },
      });
      logger.info("Deleted a finished Job past its TTL", { job: key });
    } catch (error) {
      if (isNotFound(error)) return;
      // Changed since the read: look again.
      if (isConflict(error)) return queue.add(key);
      throw error;
    }
  };

  await queue.run(
    sync,
    controllerRunOptions("ttl-after-finished", options, informers.synced(jobs)),
  );
  if (!options.informers) await informers.stopped();
}
