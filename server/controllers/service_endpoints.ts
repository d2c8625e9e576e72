/**
 * What both endpoint controllers agree on: which pods back a Service, which of them are ready,
 * which port on each pod a Service port reaches (a named `targetPort` is looked up among the
 * pod's container ports, so pods of different versions may serve it on different numbers), and
 * which changes make a Service worth a look.
 *
 * @module
 */
import { type LabelSelectorMatcher, labelSelectorMatcher } from "../../kube/selectors/labels.ts";
import type { KubeObject } from "../../kube/types.ts";
import { isPodReady, isPodTerminal } from "./pod_state.ts";
import {
  type CacheEvent,
  type InformerCache,
  objectKey,
} from "../../kube/informers/shared_informers.ts";
import type { WorkQueue } from "../../kube/informers/workqueue.ts";

/** Label on Endpoints and EndpointSlices of a headless Service. */
export const HEADLESS_LABEL = "service.kubernetes.io/headless";

/** One resolved port of an endpoint. */
export interface EndpointPort {
  name: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

const selectors = new WeakMap<KubeObject, LabelSelectorMatcher>();

/**
 * The Service's pod selector, or undefined when it has none: then its endpoints are the user's
 * to write, and the controllers leave them alone.
 */
export function serviceSelector(service: KubeObject): LabelSelectorMatcher | undefined {
  const selector = service.spec?.selector;
  if (!selector || typeof selector !== "object" || Object.keys(selector).length === 0) {
    return undefined;
  }
  if (service.spec?.type === "ExternalName") return undefined;
  let matcher = selectors.get(service);
  if (!matcher) {
    selectors.set(service, matcher = labelSelectorMatcher({ matchLabels: selector }));
  }
  return matcher;
}

/**
 * A pod that can be an endpoint at all: it has an IP and has not finished. Terminating pods
 * count only when asked for (EndpointSlices list them as terminating; Endpoints drop them).
 */
export function isEndpointCandidate(pod: KubeObject, includeTerminating: boolean): boolean {
  if (!pod.status?.podIP || isPodTerminal(pod)) return false;
  return includeTerminating || !pod.metadata.deletionTimestamp;
}

/** The pods a Service selects, in its namespace. */
export function selectedPods(service: KubeObject, pods: readonly KubeObject[]): KubeObject[] {
  const selector = serviceSelector(service);
  if (!selector) return [];
  return pods.filter((pod) => selector.matches(pod.metadata.labels));
}

/** Counts as ready for traffic: Ready, or the Service publishes not-ready addresses. */
export function isEndpointReady(service: KubeObject, pod: KubeObject): boolean {
  return service.spec?.publishNotReadyAddresses === true || isPodReady(pod);
}

/** The pod port a Service port reaches, or undefined when a named port is not on the pod. */
export function resolveTargetPort(
  servicePort: Record<string, unknown>,
  pod: KubeObject,
): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === "number") return target;
  if (typeof target === "string" && /^\d+$/.test(target)) return Number(target);
  const protocol = servicePort.protocol ?? "TCP";
  for (const container of pod.spec?.containers ?? []) {
    for (const port of container.ports ?? []) {
      if (port.name === target && (port.protocol ?? "TCP") === protocol) {
        return port.containerPort;
      }
    }
  }
  return undefined;
}

/** The Service's ports as this pod serves them (unresolvable named ports left out). */
export function endpointPorts(service: KubeObject, pod: KubeObject): EndpointPort[] {
  const ports: EndpointPort[] = [];
  for (const servicePort of service.spec?.ports ?? []) {
    const port = resolveTargetPort(servicePort, pod);
    if (port === undefined) continue;
    const resolved: EndpointPort = {
      name: servicePort.name ?? "",
      port,
      protocol: servicePort.protocol ?? "TCP",
    };
    if (servicePort.appProtocol) resolved.appProtocol = servicePort.appProtocol;
    ports.push(resolved);
  }
  return ports.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.port - b.port));
}

/** A stable text for a port set, to group endpoints serving the same ports. */
export function portsKey(ports: readonly EndpointPort[]): string {
  return JSON.stringify(ports);
}

/** The hostname a pod publishes under a headless Service (`spec.hostname` + `subdomain`). */
export function endpointHostname(service: KubeObject, pod: KubeObject): string | undefined {
  const hostname = pod.spec?.hostname;
  return hostname && pod.spec?.subdomain === service.metadata.name &&
      pod.metadata.namespace === service.metadata.namespace
    ? hostname
    : undefined;
}

/** `targetRef` of an endpoint: the pod. */
export function podReference(pod: KubeObject): Record<string, string> {
  return {
    kind: "Pod",
    namespace: pod.metadata.namespace!,
    name: pod.metadata.name!,
    uid: pod.metadata.uid!,
  };
}

/** The Service's labels as its endpoint objects carry them (plus the headless mark). */
export function endpointLabels(service: KubeObject): Record<string, string> {
  const labels: Record<string, string> = { ...(service.metadata.labels ?? {}) };
  if (service.spec?.clusterIP === "None") labels[HEADLESS_LABEL] = "";
  return labels;
}

/** Whether a pod change can change a Service's endpoints. */
export function endpointRelevantChange(old: KubeObject, pod: KubeObject): boolean {
  const view = (p: KubeObject) =>
    JSON.stringify([
      p.metadata.labels,
      p.metadata.deletionTimestamp,
      p.status?.podIP,
      p.status?.podIPs,
      p.status?.phase,
      isPodReady(p),
      p.spec?.nodeName,
      p.spec?.hostname,
      p.spec?.subdomain,
    ]);
  return view(old) !== view(pod);
}

/**
 * Queues a Service (by {@link objectKey}) whenever it changes, and whenever a pod it selects --
 * before or after the change -- changes in a way that can change its endpoints.
 */
export function queueServiceChanges(
  services: InformerCache,
  pods: InformerCache,
  queue: WorkQueue,
): void {
  const enqueueFor = (pod: KubeObject) => {
    for (const service of services.list(pod.metadata.namespace)) {
      if (serviceSelector(service)?.matches(pod.metadata.labels)) queue.add(objectKey(service));
    }
  };
  services.subscribe((event) => queue.add(objectKey(event.object)));
  pods.subscribe(({ type, object, old }: CacheEvent) => {
    if (type === "MODIFIED" && old) {
      if (!endpointRelevantChange(old, object)) return;
      enqueueFor(old);
    }
    enqueueFor(object);
  });
}
