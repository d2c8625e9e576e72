/**
 * Which nodes a DaemonSet's pod belongs on, and the pod it puts there, as upstream's daemon
 * controller decides: a node qualifies when the template's `nodeName` (if any), `nodeSelector`
 * and required node affinity select it and it has no NoSchedule or NoExecute taint the pod does
 * not tolerate; a pod already there may stay while only NoSchedule taints are in the way. Daemon
 * pods tolerate the node-condition taints upstream adds (not-ready and unreachable NoExecute
 * without a time limit, the pressure and unschedulable NoSchedule taints, and
 * network-unavailable for host-network pods), and are created unbound with a required node
 * affinity `metadata.name In [node]` so that the scheduler binds them.
 *
 * @module
 */
import { clone } from "../../kube/deep_equal.ts";
import {
  firstUntoleratedTaint,
  NODE_TAINTS,
  type Taint,
  type Toleration,
} from "../../kube/taints.ts";
import type { KubeObject } from "../../kube/types.ts";
import { templateGeneration } from "../registry/strategies/apps.ts";
import { nodeMatchesPod, requiredTerms } from "../scheduler/node_affinity.ts";
import { REVISION_HASH_LABEL } from "./controller_history.ts";
import { newControllerRef } from "./controller_ref.ts";

/** The kind of the owner reference on daemon pods. */
export const DAEMON_SET_TYPE = { apiVersion: "apps/v1", kind: "DaemonSet" };

/** The label with the DaemonSet's template generation when the pod was made. */
export const TEMPLATE_GENERATION_LABEL = "pod-template-generation";

/** The field a daemon pod's node affinity names its node by. */
const NAME_FIELD = "metadata.name";

/** Whether a node should run the daemon pod, and whether one already there may stay. */
export interface NodeFit {
  shouldRun: boolean;
  shouldContinueRunning: boolean;
}

/** Tolerations every daemon pod gets (upstream's `AddOrUpdateDaemonPodTolerations`). */
const DAEMON_TOLERATIONS: readonly Toleration[] = [
  // A daemon pod stays on a node that stops reporting: it is the node's own agent.
  { key: NODE_TAINTS.notReady, operator: "Exists", effect: "NoExecute" },
  { key: NODE_TAINTS.unreachable, operator: "Exists", effect: "NoExecute" },
  { key: NODE_TAINTS.diskPressure, operator: "Exists", effect: "NoSchedule" },
  { key: NODE_TAINTS.memoryPressure, operator: "Exists", effect: "NoSchedule" },
  { key: NODE_TAINTS.pidPressure, operator: "Exists", effect: "NoSchedule" },
  { key: NODE_TAINTS.unschedulable, operator: "Exists", effect: "NoSchedule" },
];

/** Host-network pods need no pod network, so they may go where it is not up yet. */
const HOST_NETWORK_TOLERATION: Toleration = {
  key: NODE_TAINTS.networkUnavailable,
  operator: "Exists",
  effect: "NoSchedule",
};

/** Same key, operator, value and effect: upstream's `Toleration.MatchToleration`. */
function sameToleration(a: Toleration, b: Toleration): boolean {
  return (a.key ?? "") === (b.key ?? "") && (a.operator ?? "Equal") === (b.operator ?? "Equal") &&
    (a.value ?? "") === (b.value ?? "") && (a.effect ?? "") === (b.effect ?? "");
}

/**
 * The template's tolerations with the daemon ones added; a user's toleration of the same taint is
 * replaced (so a `tolerationSeconds` on not-ready does not evict the node's daemon), as upstream.
 */
export function daemonPodTolerations(spec: { tolerations?: Toleration[]; hostNetwork?: boolean }) {
  const tolerations = clone(spec.tolerations ?? []);
  const wanted = spec.hostNetwork
    ? [...DAEMON_TOLERATIONS, HOST_NETWORK_TOLERATION]
    : DAEMON_TOLERATIONS;
  for (const toleration of wanted) {
    const at = tolerations.findIndex((t) => sameToleration(t, toleration));
    if (at < 0) tolerations.push({ ...toleration });
    else tolerations[at] = { ...toleration };
  }
  return tolerations;
}

function taintsOf(node: KubeObject): Taint[] {
  return Array.isArray(node.spec?.taints) ? node.spec.taints : [];
}

/** Tolerations of the pods a DaemonSet makes, computed once per (immutable, cached) DaemonSet. */
const tolerationsByDaemonSet = new WeakMap<KubeObject, Toleration[]>();

function tolerationsFor(ds: KubeObject): Toleration[] {
  let tolerations = tolerationsByDaemonSet.get(ds);
  if (!tolerations) {
    tolerations = daemonPodTolerations(ds.spec?.template?.spec ?? {});
    tolerationsByDaemonSet.set(ds, tolerations);
  }
  return tolerations;
}

/**
 * Upstream's `NodeShouldRunDaemonPod`: the node must match the template's `nodeName`,
 * `nodeSelector` and required node affinity; then an untolerated NoSchedule or NoExecute taint
 * keeps a new pod off, and only an untolerated NoExecute taint moves a running one off.
 */
export function nodeShouldRunDaemonPod(node: KubeObject, ds: KubeObject): NodeFit {
  const name = node.metadata.name!;
  const spec = ds.spec?.template?.spec ?? {};
  const no = { shouldRun: false, shouldContinueRunning: false };
  if (spec.nodeName && spec.nodeName !== name) return no;
  const asPod: KubeObject = { metadata: {}, spec };
  if (!nodeMatchesPod(asPod, name, node.metadata.labels ?? {})) return no;
  const taints = taintsOf(node);
  const tolerations = tolerationsFor(ds);
  if (!firstUntoleratedTaint(taints, tolerations)) {
    return { shouldRun: true, shouldContinueRunning: true };
  }
  const noExecute = taints.filter((t) => t.effect === "NoExecute");
  return {
    shouldRun: false,
    shouldContinueRunning: !firstUntoleratedTaint(noExecute, tolerations),
  };
}

/**
 * The node a daemon pod is for: where it is bound, else the one its node affinity pins it to
 * (upstream's `GetTargetNodeName`); undefined for a pod that names none.
 */
export function targetNodeName(pod: KubeObject): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  for (const term of requiredTerms(pod.spec ?? {}) ?? []) {
    for (const field of term.matchFields ?? []) {
      if (field.key !== NAME_FIELD || field.operator !== "In") continue;
      return field.values?.length === 1 ? field.values[0] : undefined;
    }
  }
  return undefined;
}

/**
 * Whether a pod runs the DaemonSet's current template: its revision hash is the current one, or
 * (for pods labelled before a hash existed) its template generation is (upstream's
 * `IsPodUpdated`).
 */
export function isPodUpdated(pod: KubeObject, hash: string, generation: number): boolean {
  const labels = pod.metadata.labels ?? {};
  return (hash !== "" && labels[REVISION_HASH_LABEL] === hash) ||
    labels[TEMPLATE_GENERATION_LABEL] === String(generation);
}

/**
 * The daemon pod for `nodeName`: the template with the daemon tolerations, the revision labels,
 * a controller reference that blocks the DaemonSet's foreground deletion, and a required node
 * affinity that pins it to the node (replacing the template's required terms, which the
 * controller has already checked), left unbound for the scheduler.
 */
export function newDaemonPod(ds: KubeObject, nodeName: string, hash: string): KubeObject {
  const template = ds.spec?.template ?? {};
  const spec = clone(template.spec ?? {});
  spec.tolerations = daemonPodTolerations(spec);
  const pin = {
    nodeSelectorTerms: [{ matchFields: [{ key: NAME_FIELD, operator: "In", values: [nodeName] }] }],
  };
  spec.affinity ??= {};
  spec.affinity.nodeAffinity ??= {};
  spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = pin;
  const metadata: KubeObject["metadata"] = {
    generateName: `${ds.metadata.name}-`,
    namespace: ds.metadata.namespace,
    labels: {
      ...template.metadata?.labels,
      [TEMPLATE_GENERATION_LABEL]: String(templateGeneration(ds)),
      [REVISION_HASH_LABEL]: hash,
    },
    ownerReferences: [newControllerRef(ds, DAEMON_SET_TYPE)],
  };
  if (template.metadata?.annotations) metadata.annotations = clone(template.metadata.annotations);
  if (template.metadata?.finalizers) metadata.finalizers = clone(template.metadata.finalizers);
  return { apiVersion: "v1", kind: "Pod", metadata, spec };
}
