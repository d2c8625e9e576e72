/**
 * Node lifecycle, after upstream's node lifecycle controller and its NoExecute taint manager:
 *
 * - **Health.** A node is alive while its Lease (`kube-node-lease/<node>`) is renewed or its
 *   Ready condition's heartbeat moves. When neither happens for the grace period (40 s), its
 *   Ready, MemoryPressure, DiskPressure and PIDPressure conditions become `Unknown` ("Kubelet
 *   stopped posting node status.") and the Ready pods on it are marked not ready, so Endpoints
 *   stop sending them traffic. Like upstream, the clock is when this controller *saw* a renewal,
 *   not the renew time written by the node (no clock-skew trouble), and every node starts with
 *   a full grace period when the controller starts.
 * - **Taints from conditions.** Ready=False gives `node.kubernetes.io/not-ready`, Ready=Unknown
 *   `node.kubernetes.io/unreachable`, both NoSchedule and NoExecute; pressure conditions and
 *   `spec.unschedulable` give their NoSchedule taints. Once the node reports Ready again they go.
 * - **Eviction.** A pod on a node with a NoExecute taint is deleted once its matching toleration
 *   runs out (`tolerationSeconds`, 300 s from the defaults every pod gets; shorter when its spec
 *   says so), or at once when a taint is not tolerated; its controller replaces it.
 *
 * Every wait is one timer per node or per pod, set from informer state; nothing polls.
 *
 * @module
 */
import { isConflict, isNotFound } from "../../kube/errors.ts";
import {
  NODE_TAINTS,
  type Taint,
  type Toleration,
  tolerationSecondsFor,
} from "../../kube/taints.ts";
import type { KubeObject } from "../../kube/types.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import { timestamp } from "../apiserver/object_meta.ts";
import { NODE_LEASE_NAMESPACE } from "../auth/rbac/node_authorizer.ts";
import type { Logger } from "../log.ts";
import { EventRecorder } from "./event_recorder.ts";
import { runInformer } from "../../kube/informers/informer.ts";
import { inProcessListWatch } from "../apiserver/in_process_list_watch.ts";
import { isPodActive, isPodReady } from "./pod_state.ts";

/** Field manager and event source of this controller (upstream's component name). */
const COMPONENT = "node-controller";

/** Upstream's `--node-monitor-grace-period`. */
export const DEFAULT_NODE_GRACE_PERIOD_MS = 40_000;

/** The taint keys this controller owns: upstream's well-known node taints. */
const MANAGED_KEYS: ReadonlySet<string> = new Set(Object.values(NODE_TAINTS));

/** Conditions a node reports that this controller turns Unknown when it goes silent. */
const HEALTH_CONDITIONS = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"];

/** NoSchedule taints from conditions that are True (upstream's `nodeConditionToTaintKeyStatusMap`). */
const PRESSURE_TAINTS: Record<string, string> = {
  MemoryPressure: NODE_TAINTS.memoryPressure,
  DiskPressure: NODE_TAINTS.diskPressure,
  PIDPressure: NODE_TAINTS.pidPressure,
  NetworkUnavailable: NODE_TAINTS.networkUnavailable,
};

/** Reasons this controller writes; a heartbeat on such a condition is not the node's. */
const OWN_REASONS = new Set(["NodeStatusUnknown", "NodeStatusNeverUpdated"]);

interface NodeCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

function conditionsOf(node: KubeObject): NodeCondition[] {
  const conditions = node.status?.conditions;
  return Array.isArray(conditions) ? conditions : [];
}

function readyCondition(node: KubeObject): NodeCondition | undefined {
  return conditionsOf(node).find((c) => c.type === "Ready");
}

/**
 * The taints a node should carry for its conditions and `spec.unschedulable` (without times).
 *
 * @example
 * ```ts
 * lifecycleTaints({ metadata: { name: "a" }, status: { conditions: [
 *   { type: "Ready", status: "Unknown" },
 * ] } });
 * // unreachable NoSchedule and NoExecute
 * ```
 */
export function lifecycleTaints(node: KubeObject): Taint[] {
  const taints: Taint[] = [];
  const ready = readyCondition(node)?.status;
  const readyKey = ready === "False"
    ? NODE_TAINTS.notReady
    : ready === "Unknown"
    ? NODE_TAINTS.unreachable
    : undefined;
  if (readyKey) {
    taints.push({ key: readyKey, effect: "NoSchedule" }, { key: readyKey, effect: "NoExecute" });
  }
  for (const condition of conditionsOf(node)) {
    const key = PRESSURE_TAINTS[condition.type];
    if (key && condition.status === "True") taints.push({ key, effect: "NoSchedule" });
  }
  if (node.spec?.unschedulable === true) {
    taints.push({ key: NODE_TAINTS.unschedulable, effect: "NoSchedule" });
  }
  return taints;
}

const taintId = (t: Taint) => `${t.key}:${t.effect}`;

/**
 * A node's taints with this controller's replaced by `wanted`: taints others set are kept as
 * they are, a wanted taint already present keeps its `timeAdded`, a new one gets `now`.
 */
export function withLifecycleTaints(current: Taint[], wanted: Taint[], now: number): Taint[] {
  const wantedIds = new Set(wanted.map(taintId));
  const kept = current.filter((t) => !MANAGED_KEYS.has(t.key) || wantedIds.has(taintId(t)));
  const present = new Set(kept.map(taintId));
  const added = wanted.filter((t) => !present.has(taintId(t)))
    .map((t) => ({ ...t, timeAdded: timestamp(now) }));
  return [...kept, ...added];
}

function managedIds(taints: Taint[]): string {
  return taints.filter((t) => MANAGED_KEYS.has(t.key)).map(taintId).sort().join(",");
}

function taintsOf(node: KubeObject): Taint[] {
  return Array.isArray(node.spec?.taints) ? node.spec.taints : [];
}

/**
 * The node's status with its health conditions made Unknown, as upstream does when the kubelet
 * goes silent: existing conditions keep their heartbeat, missing ones are added as never posted.
 *
 * @returns The new conditions, or undefined when nothing changes.
 */
export function unknownConditions(node: KubeObject, now: number): NodeCondition[] | undefined {
  const conditions = conditionsOf(node).map((c) => ({ ...c }));
  const at = timestamp(now);
  let changed = false;
  for (const type of HEALTH_CONDITIONS) {
    const condition = conditions.find((c) => c.type === type);
    if (!condition) {
      conditions.push({
        type,
        status: "Unknown",
        reason: "NodeStatusNeverUpdated",
        message: "Kubelet never posted node status.",
        lastHeartbeatTime: node.metadata.creationTimestamp,
        lastTransitionTime: at,
      });
      changed = true;
    } else if (condition.status !== "Unknown") {
      condition.status = "Unknown";
      condition.reason = "NodeStatusUnknown";
      condition.message = "Kubelet stopped posting node status.";
      condition.lastTransitionTime = at;
      changed = true;
    }
  }
  return changed ? conditions : undefined;
}

/** Options of {@link startNodeLifecycle}. */
export interface NodeLifecycleOptions {
  signal: AbortSignal;
  logger: Logger;
  /** How long a node may stay silent before it is Unknown; 40 s when omitted. */
  gracePeriodMs?: number;
  /** Delay before retrying a failed write; 1 s when omitted. */
  retryMs?: number;
}

/** What the controller keeps of a pod: enough to decide its eviction and readiness. */
interface PodInfo {
  namespace: string;
  name: string;
  uid: string;
  nodeName: string;
  tolerations: Toleration[];
  createdMs: number;
  /** Being deleted or finished: never evicted. */
  settled: boolean;
  ready: boolean;
  /** The eviction due time its timer was set for. */
  dueMs?: number;
  timer?: ReturnType<typeof setTimeout>;
}

/** What the controller keeps of a node. */
interface NodeHealth {
  node?: KubeObject;
  /** When this controller last saw the node alive (lease renewal or heartbeat). */
  lastProbeMs: number;
  leaseRenewTime?: string;
  heartbeat?: string;
  readyStatus?: string;
  timer?: ReturnType<typeof setTimeout>;
  /** When each NoExecute taint (`key:effect`) began: its `timeAdded`, else when first seen. */
  noExecuteSince: Map<string, number>;
}

function podInfoOf(pod: KubeObject): PodInfo | undefined {
  const nodeName = pod.spec?.nodeName;
  if (typeof nodeName !== "string" || nodeName === "") return undefined;
  return {
    namespace: pod.metadata.namespace!,
    name: pod.metadata.name!,
    uid: pod.metadata.uid!,
    nodeName,
    tolerations: Array.isArray(pod.spec?.tolerations) ? pod.spec.tolerations : [],
    createdMs: Date.parse(pod.metadata.creationTimestamp ?? "") || Date.now(),
    settled: !isPodActive(pod),
    ready: isPodReady(pod),
  };
}

/**
 * Runs the node lifecycle controller until the signal aborts.
 *
 * @param stores The server's in-process stores.
 * @param options Signal, logger and (for tests) a shorter grace period.
 * @example
 * ```ts
 * loops.push(startNodeLifecycle(stores, { signal, logger }));
 * ```
 */
export function startNodeLifecycle(
  stores: StoreSet,
  options: NodeLifecycleOptions,
): Promise<void> {
  const graceMs = options.gracePeriodMs ?? DEFAULT_NODE_GRACE_PERIOD_MS;
  const retryMs = options.retryMs ?? 1000;
  const log = options.logger;
  const nodeStore = stores.forKind("", "Node");
  const podStore = stores.forKind("", "Pod");
  const health = new Map<string, NodeHealth>();
  const podsByNode = new Map<string, Map<string, PodInfo>>();
  /** Nodes whose taint write is in flight, and those that changed meanwhile. */
  const tainting = new Set<string>();
  const retaint = new Set<string>();
  const retries = new Set<ReturnType<typeof setTimeout>>();

  const later = (what: () => void) => {
    if (options.signal.aborted) return;
    const timer = setTimeout(() => {
      retries.delete(timer);
      what();
    }, retryMs);
    retries.add(timer);
  };

  const healthOf = (name: string): NodeHealth => {
    let entry = health.get(name);
    if (!entry) {
      entry = { lastProbeMs: Date.now(), noExecuteSince: new Map() };
      health.set(name, entry);
    }
    return entry;
  };

  const events = new EventRecorder(stores.forKind("", "Event"), {
    component: COMPONENT,
    logger: log,
  });
  const podRef = (pod: PodInfo): KubeObject => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: pod.name, namespace: pod.namespace, uid: pod.uid },
  });

  // ---- health: lease renewals and heartbeats arm one timer per node ----

  const arm = (name: string) => {
    const entry = health.get(name);
    if (!entry?.node || entry.timer !== undefined || options.signal.aborted) return;
    // Already Unknown all over: nothing to do until the node speaks again.
    if (unknownConditions(entry.node, 0) === undefined) return;
    const delay = Math.max(0, entry.lastProbeMs + graceMs - Date.now());
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (health.get(name) !== entry) return;
      // Renewed meanwhile: wait out the rest of the new window instead.
      if (Date.now() - entry.lastProbeMs < graceMs) return arm(name);
      void markUnknown(name);
    }, delay);
  };

  const probe = (name: string) => {
    healthOf(name).lastProbeMs = Date.now();
    arm(name);
  };

  const markUnknown = async (name: string): Promise<void> => {
    try {
      const { object } = await nodeStore.updateWith(undefined, name, (current) => {
        const entry = health.get(name);
        if (entry && Date.now() - entry.lastProbeMs < graceMs) return current;
        const conditions = unknownConditions(current, Date.now());
        if (!conditions) return current;
        current.status = { ...current.status, conditions };
        return current;
      }, { subresource: "status", fieldManager: COMPONENT });
      if (readyCondition(object)?.reason === "NodeStatusUnknown") {
        log.info("Node stopped posting status; marked Unknown", { node: name });
      }
    } catch (error) {
      if (isNotFound(error)) return;
      log.warn("Node not marked Unknown; will retry", { node: name, error: String(error) });
      later(() => {
        const entry = health.get(name);
        if (entry && Date.now() - entry.lastProbeMs >= graceMs) void markUnknown(name);
      });
    }
  };

  // ---- taints follow conditions ----

  const reconcileTaints = async (name: string): Promise<void> => {
    const node = health.get(name)?.node;
    if (!node) return;
    if (managedIds(taintsOf(node)) === managedIds(lifecycleTaints(node))) return;
    if (tainting.has(name)) {
      retaint.add(name);
      return;
    }
    tainting.add(name);
    try {
      await nodeStore.updateWith(undefined, name, (current) => {
        const wanted = lifecycleTaints(current);
        if (managedIds(taintsOf(current)) === managedIds(wanted)) return current;
        current.spec = {
          ...current.spec,
          taints: withLifecycleTaints(taintsOf(current), wanted, Date.now()),
        };
        if (current.spec.taints.length === 0) delete current.spec.taints;
        return current;
      }, { fieldManager: COMPONENT });
    } catch (error) {
      if (!isNotFound(error)) {
        log.warn("Node taints not updated; will retry", { node: name, error: String(error) });
        later(() => void reconcileTaints(name));
      }
    } finally {
      tainting.delete(name);
      if (retaint.delete(name)) void reconcileTaints(name);
    }
  };

  /** Upstream's MarkPodsNotReady: pods on a node that is not Ready stop being Ready. */
  const markPodsNotReady = (name: string) => {
    for (const pod of podsByNode.get(name)?.values() ?? []) {
      if (!pod.ready || pod.settled) continue;
      podStore.updateWith(pod.namespace, pod.name, (current) => {
        if (current.metadata.uid !== pod.uid) return current;
        const conditions = Array.isArray(current.status?.conditions)
          ? current.status.conditions.map((c: NodeCondition) =>
            c.type === "Ready" && c.status !== "False"
              ? { ...c, status: "False", lastTransitionTime: timestamp(Date.now()) }
              : c
          )
          : [];
        current.status = { ...current.status, conditions };
        return current;
      }, { subresource: "status", fieldManager: COMPONENT }).then(
        () => events.warning(podRef(pod), "NodeNotReady", "Node is not ready"),
        (error) => {
          if (isNotFound(error)) return;
          log.warn("Pod not marked not ready", {
            pod: `${pod.namespace}/${pod.name}`,
            error: String(error),
          });
        },
      );
    }
  };

  // ---- eviction: one timer per pod on a NoExecute-tainted node ----

  const cancelEviction = (pod: PodInfo) => {
    clearTimeout(pod.timer);
    pod.timer = undefined;
    pod.dueMs = undefined;
  };

  /** When the pod must go, or undefined when it may stay. */
  const evictionDue = (pod: PodInfo): number | undefined => {
    if (pod.settled) return undefined;
    const entry = health.get(pod.nodeName);
    if (!entry?.node) return undefined;
    const noExecute = taintsOf(entry.node).filter((t) => t.effect === "NoExecute");
    if (noExecute.length === 0) return undefined;
    const seconds = tolerationSecondsFor(pod.tolerations, noExecute);
    if (seconds === undefined) return undefined;
    // The clock starts when the pod met the taint: the taint's time, or the pod's if later.
    const tainted = Math.min(
      ...noExecute.map((t) => entry.noExecuteSince.get(taintId(t)) ?? Date.now()),
    );
    return Math.max(tainted, pod.createdMs) + seconds * 1000;
  };

  const scheduleEviction = (pod: PodInfo) => {
    const due = evictionDue(pod);
    if (due === undefined) return cancelEviction(pod);
    if (pod.timer !== undefined && pod.dueMs === due) return;
    cancelEviction(pod);
    if (options.signal.aborted) return;
    pod.dueMs = due;
    pod.timer = setTimeout(() => {
      pod.timer = undefined;
      void evict(pod);
    }, Math.max(0, due - Date.now()));
  };

  const evict = async (pod: PodInfo): Promise<void> => {
    const current = podsByNode.get(pod.nodeName)?.get(`${pod.namespace}/${pod.name}`);
    if (current !== pod) return;
    const due = evictionDue(pod);
    if (due === undefined) return;
    if (due > Date.now()) return scheduleEviction(pod);
    try {
      await podStore.delete(pod.namespace, pod.name, { preconditions: { uid: pod.uid } });
      log.info("Evicted pod from tainted node", {
        pod: `${pod.namespace}/${pod.name}`,
        node: pod.nodeName,
      });
      events.normal(
        podRef(pod),
        "TaintManagerEviction",
        `Marking for deletion Pod ${pod.namespace}/${pod.name}`,
      );
    } catch (error) {
      if (isNotFound(error) || isConflict(error)) return;
      log.warn("Pod not evicted; will retry", {
        pod: `${pod.namespace}/${pod.name}`,
        error: String(error),
      });
      later(() => void evict(pod));
    }
  };

  const scheduleNodeEvictions = (name: string) => {
    for (const pod of podsByNode.get(name)?.values() ?? []) scheduleEviction(pod);
  };

  // ---- informer handlers ----

  const observeNode = (node: KubeObject) => {
    const name = node.metadata.name!;
    const entry = healthOf(name);
    const previousReady = entry.readyStatus;
    entry.node = node;
    const since = new Map<string, number>();
    for (const taint of taintsOf(node).filter((t) => t.effect === "NoExecute")) {
      const id = taintId(taint);
      since.set(
        id,
        Date.parse(taint.timeAdded ?? "") || entry.noExecuteSince.get(id) || Date.now(),
      );
    }
    entry.noExecuteSince = since;
    const ready = readyCondition(node);
    entry.readyStatus = ready?.status;
    if (ready?.lastHeartbeatTime && !OWN_REASONS.has(ready.reason ?? "")) {
      if (ready.lastHeartbeatTime !== entry.heartbeat) {
        entry.heartbeat = ready.lastHeartbeatTime;
        probe(name);
      }
    }
    arm(name);
    void reconcileTaints(name);
    if (ready && ready.status !== "True" && previousReady !== ready.status) {
      if (previousReady === "True") {
        events.normal(node, "NodeNotReady", `Node ${name} status is now: NodeNotReady`);
      }
      markPodsNotReady(name);
    }
    scheduleNodeEvictions(name);
  };

  const forgetNode = (name: string) => {
    const entry = health.get(name);
    if (entry) clearTimeout(entry.timer);
    health.delete(name);
    scheduleNodeEvictions(name);
  };

  const observeLease = (lease: KubeObject) => {
    if (lease.metadata.namespace !== NODE_LEASE_NAMESPACE) return;
    const name = lease.metadata.name!;
    const renewTime = lease.spec?.renewTime;
    const entry = healthOf(name);
    if (typeof renewTime === "string" && renewTime !== entry.leaseRenewTime) {
      entry.leaseRenewTime = renewTime;
      probe(name);
    }
  };

  const removePod = (key: string, nodeName: string) => {
    const pods = podsByNode.get(nodeName);
    const known = pods?.get(key);
    if (!known) return;
    cancelEviction(known);
    pods!.delete(key);
    if (pods!.size === 0) podsByNode.delete(nodeName);
  };

  const observePod = (type: "ADDED" | "MODIFIED" | "DELETED", pod: KubeObject) => {
    const info = podInfoOf(pod);
    if (!info) return;
    const key = `${info.namespace}/${info.name}`;
    if (type === "DELETED") return removePod(key, info.nodeName);
    let pods = podsByNode.get(info.nodeName);
    if (!pods) podsByNode.set(info.nodeName, pods = new Map());
    const known = pods.get(key);
    if (known && known.uid === info.uid) {
      // Keep the armed timer; only what may change is refreshed.
      known.tolerations = info.tolerations;
      known.settled = info.settled;
      known.ready = info.ready;
      scheduleEviction(known);
      return;
    }
    if (known) cancelEviction(known);
    pods.set(key, info);
    scheduleEviction(info);
  };

  const informer = (name: string) => ({ signal: options.signal, logger: log, name });
  const loops = [
    runInformer(inProcessListWatch(nodeStore, stores.deps.backend), {
      replace(items) {
        const seen = new Set(items.map((n) => n.metadata.name!));
        for (const [name, entry] of health) if (entry.node && !seen.has(name)) forgetNode(name);
        items.forEach(observeNode);
      },
      apply: (type, node) =>
        type === "DELETED" ? forgetNode(node.metadata.name!) : observeNode(node),
    }, informer("node-lifecycle-nodes")),
    runInformer(
      inProcessListWatch(stores.forKind("coordination.k8s.io", "Lease"), stores.deps.backend),
      {
        replace: (items) => items.forEach(observeLease),
        apply: (type, lease) => type !== "DELETED" && observeLease(lease),
      },
      informer("node-lifecycle-leases"),
    ),
    runInformer(inProcessListWatch(podStore, stores.deps.backend), {
      replace(items) {
        const seen = new Set<string>();
        for (const pod of items) {
          observePod("ADDED", pod);
          seen.add(`${pod.metadata.namespace}/${pod.metadata.name}`);
        }
        for (const [nodeName, pods] of podsByNode) {
          for (const key of [...pods.keys()]) if (!seen.has(key)) removePod(key, nodeName);
        }
      },
      apply: observePod,
    }, informer("node-lifecycle-pods")),
  ];
  return Promise.all(loops).then(() => undefined).finally(() => {
    for (const entry of health.values()) clearTimeout(entry.timer);
    for (const pods of podsByNode.values()) for (const pod of pods.values()) cancelEviction(pod);
    for (const timer of retries) clearTimeout(timer);
  });
}
