/**
 * The Endpoints controller: for every Service with a selector, an Endpoints object of the same
 * name listing the selected pods -- ready ones under `addresses`, the others under
 * `notReadyAddresses` -- grouped into subsets by the ports they serve. A Service without a
 * selector keeps the Endpoints its user writes; a deleted Service loses its Endpoints.
 *
 * @module
 */
import { deepEqual } from "../../kube/deep_equal.ts";
import type { KubeObject } from "../../kube/types.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import { isNamespaceTerminating } from "./api_errors.ts";
import { isConflict, isNotFound } from "../../kube/errors.ts";
import { CONTROLLER_FIELD_MANAGER } from "./replicaset.ts";
import {
  endpointHostname,
  endpointLabels,
  endpointPorts,
  isEndpointCandidate,
  isEndpointReady,
  queueServiceChanges,
  selectedPods,
  serviceSelector,
} from "./service_endpoints.ts";
import {
  type CacheEvent,
  type ControllerOptions,
  objectKey,
  splitKey,
} from "../../kube/informers/shared_informers.ts";
import { inProcessInformers } from "../apiserver/in_process_list_watch.ts";
import { controllerRunOptions, WorkQueue } from "../../kube/informers/workqueue.ts";

/** Addresses one Endpoints object holds at most; beyond, it is truncated (as upstream). */
export const MAX_ENDPOINT_ADDRESSES = 1000;
/** Set on Endpoints whose addresses were truncated. */
export const OVER_CAPACITY_ANNOTATION = "endpoints.kubernetes.io/over-capacity";

/** Options of {@link startEndpointsController}. */
export type EndpointsControllerOptions = ControllerOptions;

interface Address {
  ip: string;
  nodeName?: string;
  hostname?: string;
  targetRef: Record<string, string>;
}

interface Subset {
  addresses?: Address[];
  notReadyAddresses?: Address[];
  ports?: Record<string, unknown>[];
}

function byIp(a: Address, b: Address): number {
  return a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : a.targetRef.name < b.targetRef.name ? -1 : 1;
}

/** The subsets of a Service from its pods, and whether they had to be truncated. */
export function endpointSubsets(
  service: KubeObject,
  pods: readonly KubeObject[],
): { subsets: Subset[]; truncated: boolean } {
  const groups = new Map<string, { ports: unknown[]; ready: Address[]; notReady: Address[] }>();
  const headlessWithoutPorts = (service.spec?.ports ?? []).length === 0 &&
    service.spec?.clusterIP === "None";
  for (const pod of selectedPods(service, pods)) {
    if (!isEndpointCandidate(pod, false)) continue;
    const address: Address = {
      ip: pod.status.podIP,
      targetRef: {
        kind: "Pod",
        namespace: pod.metadata.namespace!,
        name: pod.metadata.name!,
        uid: pod.metadata.uid!,
      },
    };
    if (pod.spec?.nodeName) address.nodeName = pod.spec.nodeName;
    const hostname = endpointHostname(service, pod);
    if (hostname) address.hostname = hostname;
    const ports = endpointPorts(service, pod).map(({ name, port, protocol, appProtocol }) => {
      const p: Record<string, unknown> = { port, protocol };
      if (name) p.name = name;
      if (appProtocol) p.appProtocol = appProtocol;
      return p;
    });
    if (ports.length === 0 && !headlessWithoutPorts) continue;
    const key = JSON.stringify(ports);
    let group = groups.get(key);
    if (!group) groups.set(key, group = { ports, ready: [], notReady: [] });
    (isEndpointReady(service, pod) ? group.ready : group.notReady).push(address);
  }
  let budget = MAX_ENDPOINT_ADDRESSES;
  let truncated = false;
  const subsets: Subset[] = [];
  for (const key of [...groups.keys()].sort()) {
    const group = groups.get(key)!;
    const subset: Subset = {};
    // Ready addresses are kept first when truncating: they are the ones that serve.
    const ready = group.ready.sort(byIp).slice(0, budget);
    budget -= ready.length;
    const notReady = group.notReady.sort(byIp).slice(0, budget);
    budget -= notReady.length;
    truncated ||= ready.length < group.ready.length || notReady.length < group.notReady.length;
    if (ready.length > 0) subset.addresses = ready;
    if (notReady.length > 0) subset.notReadyAddresses = notReady;
    if (!subset.addresses && !subset.notReadyAddresses) continue;
    if (group.ports.length > 0) subset.ports = group.ports as Record<string, unknown>[];
    subsets.push(subset);
  }
  return { subsets, truncated };
}

/** Runs until the signal aborts. */
export async function startEndpointsController(
  stores: StoreSet,
  options: EndpointsControllerOptions,
): Promise<void> {
  const { signal, logger } = options;
  const informers = options.informers ??
    inProcessInformers(stores, { signal, logger });
  const services = informers.forKind("", "Service");
  const pods = informers.forKind("", "Pod");
  const endpoints = informers.forKind("", "Endpoints");
  const endpointsStore = stores.forKind("", "Endpoints");
  const queue = new WorkQueue();

  queueServiceChanges(services, pods, queue);
  // Someone deleted Endpoints we keep: write them again.
  endpoints.subscribe(({ type, object }: CacheEvent) => {
    if (type === "DELETED" && services.get(object.metadata.namespace, object.metadata.name!)) {
      queue.add(objectKey(object));
    }
  });

  const sync = async (key: string) => {
    const { namespace, name } = splitKey(key);
    const service = services.get(namespace, name);
    if (!service) {
      try {
        await endpointsStore.delete(namespace, name);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      return;
    }
    if (!serviceSelector(service)) return;
    const { subsets, truncated } = endpointSubsets(service, pods.list(namespace));
    const labels = endpointLabels(service);
    const current = endpoints.get(namespace, name);
    const apply = (target: KubeObject) => {
      if (subsets.length > 0) target.subsets = subsets;
      else delete target.subsets;
      target.metadata.labels = labels;
      const annotations = { ...(target.metadata.annotations ?? {}) };
      if (truncated) annotations[OVER_CAPACITY_ANNOTATION] = "truncated";
      else delete annotations[OVER_CAPACITY_ANNOTATION];
      if (Object.keys(annotations).length > 0) target.metadata.annotations = annotations;
      else delete target.metadata.annotations;
      return target;
    };
    if (current) {
      const wanted = apply(structuredClone(current));
      if (deepEqual(wanted, current)) return;
    }
    const update = () =>
      endpointsStore.updateWith(namespace, name, apply, { fieldManager: CONTROLLER_FIELD_MANAGER });
    if (current) {
      await update();
      return;
    }
    try {
      await endpointsStore.create(namespace, apply({ metadata: { name, namespace } }), {
        fieldManager: CONTROLLER_FIELD_MANAGER,
      });
    } catch (error) {
      // Written by an earlier sync the cache has not shown yet.
      if (isConflict(error)) await update();
      else if (!isNamespaceTerminating(error)) throw error;
    }
  };

  await queue.run(
    sync,
    controllerRunOptions("endpoints", options, informers.synced(services, pods, endpoints)),
  );
  if (!options.informers) await informers.stopped();
}
