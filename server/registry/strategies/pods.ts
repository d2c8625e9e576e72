/**
 * core/v1 Pod: defaults, a Pending status with its QoS class on create, the narrow set of spec
 * changes an update may make, kubectl's pod columns and the pod field selectors.
 *
 * @module
 */
import { deepEqual } from "../../../kube/deep_equal.ts";
import { fieldErrors } from "../../../kube/errors.ts";
import { parseQuantity } from "../../../kube/quantity.ts";
import type { FieldError, KubeObject } from "../../../kube/types.ts";
import {
  AGE_COLUMN,
  ageOf,
  asArray,
  column,
  isRecord,
  NAME_COLUMN,
  numberOr,
} from "../printing.ts";
import { stringProperty } from "../field_getters.ts";
import type { ResourceStrategy } from "../types.ts";
import {
  defaultPodSpec,
  POD_UPDATE_FORBIDDEN,
  validatePodSpec,
  withMutablePodFields,
} from "./pod_spec.ts";

type Dict = Record<string, unknown>;

/**
 * Tolerations upstream's DefaultTolerationSeconds admission adds, so pods leave a node that
 * stays not-ready or unreachable for five minutes.
 */
const DEFAULT_TOLERATIONS = ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"];

/** The pod's QoS class from its containers' requests and limits, as upstream computes it. */
export function qosClassOf(spec: Dict): "Guaranteed" | "Burstable" | "BestEffort" {
  const containers = [...asArray(spec.initContainers), ...asArray(spec.containers)]
    .filter(isRecord);
  let anySet = false;
  let guaranteed = true;
  for (const container of containers) {
    const resources = isRecord(container.resources) ? container.resources : {};
    const requests = isRecord(resources.requests) ? resources.requests : {};
    const limits = isRecord(resources.limits) ? resources.limits : {};
    for (const name of ["cpu", "memory"]) {
      const request = parseQuantity(requests[name]);
      const limit = parseQuantity(limits[name]);
      if ((request ?? 0) > 0 || (limit ?? 0) > 0) anySet = true;
      // A request defaults to its limit; Guaranteed needs both set and equal for cpu and memory.
      if (limit === undefined || (request !== undefined && request !== limit)) guaranteed = false;
    }
  }
  if (!anySet) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}

function addDefaultTolerations(spec: Dict): void {
  const tolerations = asArray(spec.tolerations).filter(isRecord);
  for (const key of DEFAULT_TOLERATIONS) {
    const present = tolerations.some((t) =>
      (t.key === key || (t.key === undefined && t.operator === "Exists")) &&
      (t.effect === undefined || t.effect === "NoExecute")
    );
    if (!present) {
      tolerations.push({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 });
    }
  }
  spec.tolerations = tolerations;
}

/** kubectl's STATUS cell: the most telling reason, as upstream's pod printer picks it. */
export function podStatusReason(pod: KubeObject): string {
  const status: Dict = isRecord(pod.status) ? pod.status : {};
  let reason = typeof status.reason === "string" ? status.reason : String(status.phase ?? "");
  for (const [i, cs] of asArray(status.initContainerStatuses).entries()) {
    if (!isRecord(cs) || !isRecord(cs.state)) continue;
    const terminated = isRecord(cs.state.terminated) ? cs.state.terminated : undefined;
    const waiting = isRecord(cs.state.waiting) ? cs.state.waiting : undefined;
    if (terminated && terminated.exitCode === 0) continue;
    const total = asArray(pod.spec?.initContainers).length;
    if (terminated) {
      reason = `Init:${terminated.reason ?? `ExitCode:${terminated.exitCode}`}`;
    } else if (waiting?.reason && waiting.reason !== "PodInitializing") {
      reason = `Init:${waiting.reason}`;
    } else reason = `Init:${i}/${total}`;
    return pod.metadata.deletionTimestamp ? "Terminating" : reason;
  }
  let running = false;
  for (const cs of asArray(status.containerStatuses).slice().reverse()) {
    if (!isRecord(cs) || !isRecord(cs.state)) continue;
    const { waiting, terminated } = cs.state;
    if (isRecord(waiting) && typeof waiting.reason === "string" && waiting.reason !== "") {
      reason = waiting.reason;
    } else if (isRecord(terminated)) {
      reason = typeof terminated.reason === "string"
        ? terminated.reason
        : terminated.signal
        ? `Signal:${terminated.signal}`
        : `ExitCode:${terminated.exitCode}`;
    } else if (cs.ready === true && isRecord(cs.state.running)) running = true;
  }
  if (reason === "Completed" && running) {
    const ready = asArray(status.conditions).some((c) =>
      isRecord(c) && c.type === "Ready" && c.status === "True"
    );
    reason = ready ? "Running" : "NotReady";
  }
  if (pod.metadata.deletionTimestamp) {
    reason = status.reason === "NodeLost" ? "Unknown" : "Terminating";
  }
  return reason;
}

function podRow(pod: KubeObject, now: number): unknown[] {
  const spec: Dict = isRecord(pod.spec) ? pod.spec : {};
  const status: Dict = isRecord(pod.status) ? pod.status : {};
  const statuses = asArray(status.containerStatuses).filter(isRecord);
  const ready = statuses.filter((cs) => cs.ready === true).length;
  const restarts = statuses.reduce((sum, cs) => sum + numberOr(cs.restartCount), 0);
  const gates = asArray(spec.readinessGates).filter(isRecord);
  const conditions = asArray(status.conditions).filter(isRecord);
  const gatesReady =
    gates.filter((g) => conditions.some((c) => c.type === g.conditionType && c.status === "True"))
      .length;
  return [
    pod.metadata.name,
    `${ready}/${asArray(spec.containers).length}`,
    podStatusReason(pod),
    restarts,
    ageOf(pod, now),
    typeof status.podIP === "string" ? status.podIP : "<none>",
    typeof spec.nodeName === "string" && spec.nodeName ? spec.nodeName : "<none>",
    typeof status.nominatedNodeName === "string" ? status.nominatedNodeName : "<none>",
    gates.length > 0 ? `${gatesReady}/${gates.length}` : "<none>",
  ];
}

/** The Pod strategy. */
export const POD: ResourceStrategy = {
  hasStatus: true,
  applyDefaults(pod) {
    pod.spec ??= {};
    defaultPodSpec(pod.spec);
  },
  prepareForCreate(pod) {
    addDefaultTolerations(pod.spec!);
    pod.status = { phase: "Pending", qosClass: qosClassOf(pod.spec!) };
  },
  validate(pod) {
    return validatePodSpec(pod.spec, "spec");
  },
  validateUpdate(pod, old) {
    const errors: FieldError[] = [];
    const spec: Dict = pod.spec ?? {};
    const oldSpec: Dict = old.spec ?? {};
    if (!deepEqual(withMutablePodFields(spec, oldSpec), spec)) {
      errors.push(fieldErrors.forbidden("spec", POD_UPDATE_FORBIDDEN));
    }
    const oldTolerations = asArray(oldSpec.tolerations);
    const tolerations = asArray(spec.tolerations);
    if (!oldTolerations.every((t) => tolerations.some((n) => deepEqual(n, t)))) {
      errors.push(
        fieldErrors.forbidden("spec.tolerations", "existing toleration can not be modified"),
      );
    }
    return errors;
  },
  columns: [
    NAME_COLUMN,
    column("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
    column("Status", "string", "The aggregate status of the containers in this pod."),
    column(
      "Restarts",
      "string",
      "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
    ),
    AGE_COLUMN,
    column(
      "IP",
      "string",
      "IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.",
      true,
    ),
    column(
      "Node",
      "string",
      "NodeName is a request to schedule this pod onto a specific node.",
      true,
    ),
    column(
      "Nominated Node",
      "string",
      "nominatedNodeName is set only when this pod preempts other pods on the node.",
      true,
    ),
    column(
      "Readiness Gates",
      "string",
      "If specified, all readiness gates will be evaluated for pod readiness.",
      true,
    ),
  ],
  row: podRow,
  fieldSelectors: {
    "spec.nodeName": stringProperty("spec", "nodeName"),
    "spec.restartPolicy": stringProperty("spec", "restartPolicy"),
    "spec.schedulerName": stringProperty("spec", "schedulerName"),
    "spec.serviceAccountName": stringProperty("spec", "serviceAccountName"),
    "spec.hostNetwork": (p) => String(p.spec?.hostNetwork === true),
    "status.phase": stringProperty("status", "phase"),
    "status.podIP": stringProperty("status", "podIP"),
    "status.nominatedNodeName": stringProperty("status", "nominatedNodeName"),
  },
  indexedFields: ["spec.nodeName"],
};
