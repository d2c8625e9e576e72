/**
 * The workload control loops as one unit: ReplicaSet, Deployment, Endpoints, EndpointSlice and
 * the garbage collector, over one set of shared caches (one copy of every pod, however many
 * loops read pods).
 *
 * @module
 */
import type { StoreSet } from "../apiserver/handler.ts";
import type { Logger } from "../log.ts";
import { startDeploymentController } from "./deployment.ts";
import { startEndpointSliceController } from "./endpoint_slices.ts";
import { startEndpointsController } from "./endpoints.ts";
import { startGarbageCollectorController } from "./garbage_collector.ts";
import { startReplicaSetController } from "./replicaset.ts";
import { SharedInformers } from "./shared_informers.ts";

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
    new SharedInformers(stores, { signal: options.signal, logger: options.logger });
  const common = { signal: options.signal, logger: options.logger, informers };
  await Promise.all([
    startReplicaSetController(stores, common),
    startDeploymentController(stores, common),
    startEndpointsController(stores, common),
    startEndpointSliceController(stores, common),
    startGarbageCollectorController(stores, common),
  ]);
  if (!options.informers) await informers.stopped();
}
