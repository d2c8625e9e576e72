/**
 * The workload control loops as one unit: ReplicaSet, Deployment, DaemonSet, StatefulSet, Job,
 * CronJob, Endpoints, EndpointSlice, pod GC and the garbage collector, over one set of shared
 * caches (one copy of every pod, however many loops read pods).
 *
 * @module
 */
import type { StoreSet } from "../apiserver/handler.ts";
import type { Logger } from "../log.ts";
import { startCronJobController } from "./cronjob.ts";
import { startDaemonSetController } from "./daemonset.ts";
import { startDeploymentController } from "./deployment.ts";
import { startEndpointSliceController } from "./endpoint_slices.ts";
import { startEndpointsController } from "./endpoints.ts";
import { startGarbageCollectorController } from "./garbage_collector.ts";
import { startJobController } from "./job.ts";
import { startPodGcController } from "./pod_gc.ts";
import { startReplicaSetController } from "./replicaset.ts";
import type { SharedInformers } from "../../kube/informers/shared_informers.ts";
import { inProcessInformers } from "../apiserver/in_process_list_watch.ts";
import { startStatefulSetController } from "./statefulset.ts";

/** Options of {@link startWorkloadControllers}. */
export interface WorkloadControllersOptions {
  signal: AbortSignal;
  logger: Logger;
  /** Caches to share with other loops; a set is made (and stopped) here when absent. */
  informers?: SharedInformers;
}

/**
 * Runs the workload controllers until the signal aborts.
 * @example
 * ```ts ignore
 * loops.push(startWorkloadControllers(stores, { signal: stop.signal, logger: log }));
 * ```
 */
export async function startWorkloadControllers(
  stores: StoreSet,
  options: WorkloadControllersOptions,
): Promise<void> {
  const informers = options.informers ??
    inProcessInformers(stores, {
      signal: options.signal,
      logger: options.logger,
    });
  const common = { signal: options.signal, logger: options.logger, informers };
  await Promise.all([
    startReplicaSetController(stores, common),
    startDeploymentController(stores, common),
    startEndpointsController(stores, common),
    startEndpointSliceController(stores, common),
    startGarbageCollectorController(stores, common),
    startDaemonSetController(stores, common),
    startStatefulSetController(stores, common),
    startJobController(stores, common),
    startCronJobController(stores, common),
    startPodGcController(stores, common),
  ]);
  if (!options.informers) await informers.stopped();
}
