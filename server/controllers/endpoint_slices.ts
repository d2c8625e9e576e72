/**
 * The EndpointSlice controller: for every Service with a selector, EndpointSlices (at most 100
 * endpoints each) listing the selected pods with their `ready`/`serving`/`terminating`
 * conditions, one set of slices per address type and resolved port set, labelled
 * `kubernetes.io/service-name` and managed-by `endpointslice-controller.k8s.io`, owned by the
 * Service. Endpoints stay in the slice they are in, so a pod turning ready rewrites one slice.
 *
 * Its own writes reach its cache a little later; a {@link SliceTracker} holds a Service back
 * until the cache has caught up, so a sync never adds a second slice for endpoints it just wrote.
 *
 * @module
 */
import { deleteSameObject } from "./same_object.ts";
import { deepEqual } from "../../kube/deep_equal.ts";
import type { KubeObject } from "../../kube/types.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import { isNamespaceTerminating } from "./api_errors.ts";
import { isConflict } from "../../kube/errors.ts";
import { newControllerRef } from "./controller_ref.ts";
import { isPodReady } from "./pod_state.ts";
import { CONTROLLER_FIELD_MANAGER } from "./replicaset.ts";
import {
  endpointHostname,
  endpointLabels,
  type EndpointPort,
  endpointPorts,
  isEndpointCandidate,
  isEndpointReady,
  podReference,
  portsKey,
  queueServiceChanges,
  selectedPods,
  serviceSelector,
} from "./service_endpoints.ts";
import {
  type CacheEvent,
  type ControllerOptions,
  splitKey,
} from "../../kube/informers/shared_informers.ts";
import { inProcessInformers } from "../apiserver/in_process_list_watch.ts";
import { controllerRunOptions, WorkQueue } from "../../kube/informers/workqueue.ts";

/** Label naming the Service of a slice. */
export const SERVICE_NAME_LABEL = "kubernetes.io/service-name";
/** Label naming who manages a slice. */
export const MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";
/** This controller's value of {@link MANAGED_BY_LABEL}. */
export const MANAGED_BY = "endpointslice-controller.k8s.io";
/** Endpoints per slice (upstream's default `--max-endpoints-per-slice`). */
export const MAX_ENDPOINTS_PER_SLICE = 100;

/** Options of {@link startEndpointSliceController}. */
export interface EndpointSliceControllerOptions extends ControllerOptions {
  /** Endpoints per slice (default {@link MAX_ENDPOINTS_PER_SLICE}). */
  maxEndpointsPerSlice?: number;
}

/** One endpoint of a slice. */
export interface SliceEndpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  targetRef: Record<string, string>;
  nodeName?: string;
  hostname?: string;
}

/** Endpoints wanted for one address type and port set, by pod UID. */
export interface Group {
  addressType: "IPv4" | "IPv6";
  ports: EndpointPort[];
  endpoints: Map<string, SliceEndpoint>;
}

function addressesOf(pod: KubeObject, family: "IPv4" | "IPv6"): string[] {
  const ips: string[] = (pod.status?.podIPs ?? []).map((p: { ip: string }) => p.ip);
  if (ips.length === 0 && pod.status?.podIP) ips.push(pod.status.podIP);
  return ips.filter((ip) => (ip.includes(":") ? "IPv6" : "IPv4") === family).slice(0, 1);
}

/** The endpoints a Service wants, grouped by address type and resolved ports. */
export function desiredGroups(service: KubeObject, pods: readonly KubeObject[]): Group[] {
  const families: ("IPv4" | "IPv6")[] = service.spec?.ipFamilies ?? ["IPv4"];
  const groups = new Map<string, Group>();
  for (const pod of selectedPods(service, pods)) {
    if (!isEndpointCandidate(pod, true)) continue;
    const ports = endpointPorts(service, pod);
    if (ports.length === 0 && (service.spec?.ports ?? []).length > 0) continue;
    const terminating = pod.metadata.deletionTimestamp !== undefined;
    const serving = isEndpointReady(service, pod);
    for (const family of families) {
      const addresses = addressesOf(pod, family);
      if (addresses.length === 0) continue;
      const key = `${family} ${portsKey(ports)}`;
      let group = groups.get(key);
      if (!group) groups.set(key, group = { addressType: family, ports, endpoints: new Map() });
      const endpoint: SliceEndpoint = {
        addresses,
        conditions: {
          ready: serving && (!terminating || service.spec?.publishNotReadyAddresses === true),
          serving: serving || (terminating && isPodReady(pod)),
          terminating,
        },
        targetRef: podReference(pod),
      };
      if (pod.spec?.nodeName) endpoint.nodeName = pod.spec.nodeName;
      const hostname = endpointHostname(service, pod);
      if (hostname) endpoint.hostname = hostname;
      group.endpoints.set(pod.metadata.uid!, endpoint);
    }
  }
  return [...groups.values()];
}

/** One slice to write: an existing one (to update when it differs) or a new one. */
export interface SlicePlan {
  slice?: KubeObject;
  addressType: "IPv4" | "IPv6";
  ports: EndpointPort[];
  endpoints: SliceEndpoint[];
}

/**
 * Places the wanted endpoints into slices: an endpoint stays in the slice it is in; new ones fill
 * the room left, then new slices of at most `perSlice`. Slices left empty go -- unless the Service
 * has no endpoints at all, when one empty slice stays as the placeholder upstream keeps.
 */
export function planSlices(
  service: KubeObject,
  groups: readonly Group[],
  existing: readonly KubeObject[],
  perSlice: number,
): { writes: SlicePlan[]; deletes: KubeObject[] } {
  const all = groups.length > 0 ? groups : [{
    addressType: (service.spec?.ipFamilies ?? ["IPv4"])[0],
    ports: [],
    endpoints: new Map<string, SliceEndpoint>(),
  }];
  const plans: SlicePlan[] = [];
  const unused = new Set(existing);
  for (const group of all) {
    const key = portsKey(group.ports);
    const pending = new Map(group.endpoints);
    const mine: SlicePlan[] = [];
    for (const slice of existing) {
      if (slice.addressType !== group.addressType || portsKey(slice.ports ?? []) !== key) continue;
      const kept: SliceEndpoint[] = [];
      for (const endpoint of slice.endpoints ?? []) {
        const uid = endpoint.targetRef?.uid;
        const wanted = uid ? pending.get(uid) : undefined;
        if (wanted && kept.length < perSlice) {
          kept.push(wanted);
          pending.delete(uid);
        }
      }
      mine.push({ slice, addressType: group.addressType, ports: group.ports, endpoints: kept });
      unused.delete(slice);
    }
    const rest = [...pending.values()];
    for (const plan of mine) {
      while (plan.endpoints.length < perSlice && rest.length > 0) {
        plan.endpoints.push(rest.shift()!);
      }
    }
    while (rest.length > 0) {
      const endpoints = rest.splice(0, perSlice);
      mine.push({ addressType: group.addressType, ports: group.ports, endpoints });
    }
    if (mine.length === 0) {
      mine.push({ addressType: group.addressType, ports: group.ports, endpoints: [] });
    }
    plans.push(...mine);
  }
  const writes = plans.filter((p) => p.endpoints.length > 0);
  if (writes.length === 0) writes.push(plans[0]);
  for (const plan of plans) if (!writes.includes(plan) && plan.slice) unused.add(plan.slice);
  return { writes, deletes: [...unused] };
}

/**
 * Writes a slice controller made that its cache has not shown yet: slice name -> the
 * resourceVersion written, or "deleted".
 */
class SliceTracker {
  #written = new Map<string, Map<string, string>>();

  wrote(service: string, slice: string, revision: string): void {
    let slices = this.#written.get(service);
    if (!slices) this.#written.set(service, slices = new Map());
    slices.set(slice, revision);
  }

  /** True when the cache shows every write (and forgets those it shows). */
  caughtUp(service: string, cached: (name: string) => KubeObject | undefined): boolean {
    const slices = this.#written.get(service);
    if (!slices) return true;
    for (const [name, revision] of slices) {
      const current = cached(name);
      const seen = revision === "deleted"
        ? current === undefined
        : Number(current?.metadata.resourceVersion ?? 0) >= Number(revision);
      if (seen) slices.delete(name);
    }
    if (slices.size > 0) return false;
    this.#written.delete(service);
    return true;
  }

  forget(service: string): void {
    this.#written.delete(service);
  }
}

/** Thrown to look again shortly: the cache is behind the controller's own writes. */
class CacheBehind extends Error {}

/** Runs until the signal aborts. */
export async function startEndpointSliceController(
  stores: StoreSet,
  options: EndpointSliceControllerOptions,
): Promise<void> {
  const { signal, logger } = options;
  const perSlice = options.maxEndpointsPerSlice ?? MAX_ENDPOINTS_PER_SLICE;
  const informers = options.informers ??
    inProcessInformers(stores, { signal, logger });
  const services = informers.forKind("", "Service");
  const pods = informers.forKind("", "Pod");
  const slices = informers.forKind("discovery.k8s.io", "EndpointSlice");
  const BY_SERVICE = "serviceName";
  slices.addIndex(BY_SERVICE, (slice) => {
    const labels = slice.metadata.labels ?? {};
    return labels[MANAGED_BY_LABEL] === MANAGED_BY && labels[SERVICE_NAME_LABEL]
      ? [`${slice.metadata.namespace}/${labels[SERVICE_NAME_LABEL]}`]
      : [];
  });
  const sliceStore = stores.forKind("discovery.k8s.io", "EndpointSlice");
  const queue = new WorkQueue();
  const tracker = new SliceTracker();

  queueServiceChanges(services, pods, queue);
  // A slice changed or deleted by someone else is put right.
  slices.subscribe(({ object }: CacheEvent) => {
    const labels = object.metadata.labels ?? {};
    if (labels[MANAGED_BY_LABEL] !== MANAGED_BY || !labels[SERVICE_NAME_LABEL]) return;
    queue.add(`${object.metadata.namespace}/${labels[SERVICE_NAME_LABEL]}`);
  });

  const remove = async (key: string, slice: KubeObject) => {
    await deleteSameObject(sliceStore, slice);
    tracker.wrote(key, slice.metadata.name!, "deleted");
  };

  const sync = async (key: string) => {
    const { namespace, name } = splitKey(key);
    const service = services.get(namespace, name);
    const existing = slices.byIndex(BY_SERVICE, key);
    if (!service || !serviceSelector(service)) {
      // Gone, or its endpoints are now the user's: the slices we made go (the garbage collector
      // would also remove them through their owner reference).
      for (const slice of existing) await remove(key, slice);
      if (!service) tracker.forget(key);
      return;
    }
    if (!tracker.caughtUp(key, (n) => slices.get(namespace, n))) throw new CacheBehind(key);

    const labels = {
      ...endpointLabels(service),
      [SERVICE_NAME_LABEL]: name,
      [MANAGED_BY_LABEL]: MANAGED_BY,
    };
    const ownerRef = newControllerRef(service, { apiVersion: "v1", kind: "Service" });
    const ours = existing.filter((s) =>
      s.metadata.ownerReferences?.some((r) => r.uid === service.metadata.uid)
    );
    // Slices of an earlier Service of the same name.
    for (const slice of existing) if (!ours.includes(slice)) await remove(key, slice);

    const groups = desiredGroups(service, pods.list(namespace));
    const { writes, deletes } = planSlices(service, groups, ours, perSlice);
    for (const entry of writes) {
      const body = {
        addressType: entry.addressType,
        endpoints: entry.endpoints,
        ports: entry.ports,
      };
      if (entry.slice) {
        const current = entry.slice;
        const same = deepEqual(
          JSON.parse(JSON.stringify(body)),
          JSON.parse(JSON.stringify({
            addressType: current.addressType,
            endpoints: current.endpoints ?? [],
            ports: current.ports ?? [],
          })),
        ) && deepEqual(current.metadata.labels, labels);
        if (same) continue;
        const updated = { ...structuredClone(current), ...body };
        updated.metadata.labels = labels;
        const { object } = await sliceStore.update(namespace, current.metadata.name!, updated, {
          fieldManager: CONTROLLER_FIELD_MANAGER,
        });
        tracker.wrote(key, object.metadata.name!, object.metadata.resourceVersion!);
        continue;
      }
      try {
        const { object } = await sliceStore.create(namespace, {
          apiVersion: "discovery.k8s.io/v1",
          kind: "EndpointSlice",
          metadata: { generateName: `${name}-`, namespace, labels, ownerReferences: [ownerRef] },
          ...body,
        }, { fieldManager: CONTROLLER_FIELD_MANAGER });
        tracker.wrote(key, object.metadata.name!, object.metadata.resourceVersion!);
      } catch (error) {
        if (!isNamespaceTerminating(error)) throw error;
      }
    }
    for (const slice of deletes) await remove(key, slice);
  };

  await queue.run(sync, {
    ...controllerRunOptions("endpointslice", options, informers.synced(services, pods, slices)),
    // A cache behind the controller's own writes is expected, and looked at again shortly.
    isNoteworthy: (error) => !(error instanceof CacheBehind) && !isConflict(error),
  });
  if (!options.informers) await informers.stopped();
}
