/**
 * core/v1 Node: taint validation, a pod CIDR that is set once, and kubectl's node columns
 * (status with SchedulingDisabled, roles from `node-role.kubernetes.io/*` labels, versions).
 *
 * @module
 */
import { fieldErrors } from "../../../kube/errors.ts";
import type { FieldError, KubeObject } from "../../../kube/types.ts";
import { AGE_COLUMN, ageOf, asArray, column, isRecord, NAME_COLUMN } from "../printing.ts";
import type { ResourceStrategy } from "../types.ts";

const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
const ROLE_LABEL_PREFIX = "node-role.kubernetes.io/";

function nodeStatus(node: KubeObject): string {
  const ready = asArray(node.status?.conditions).find((c) => isRecord(c) && c.type === "Ready");
  const states = [
    !isRecord(ready) ? "Unknown" : ready.status === "True" ? "Ready" : "NotReady",
  ];
  if (node.spec?.unschedulable === true) states.push("SchedulingDisabled");
  return states.join(",");
}

function nodeRoles(node: KubeObject): string {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(node.metadata.labels ?? {})) {
    if (key.startsWith(ROLE_LABEL_PREFIX) && key.length > ROLE_LABEL_PREFIX.length) {
      roles.add(key.slice(ROLE_LABEL_PREFIX.length));
    } else if (key === "kubernetes.io/role" && value) roles.add(value);
  }
  return roles.size > 0 ? [...roles].sort().join(",") : "<none>";
}

function address(node: KubeObject, type: string): string {
  const found = asArray(node.status?.addresses).find((a) => isRecord(a) && a.type === type);
  return isRecord(found) && typeof found.address === "string" ? found.address : "<none>";
}

function nodeInfo(node: KubeObject, key: string): string {
  const info = node.status?.nodeInfo;
  return isRecord(info) && typeof info[key] === "string" && info[key] ? String(info[key]) : "";
}

function validateTaints(taints: unknown): FieldError[] {
  const errors: FieldError[] = [];
  for (const [i, taint] of asArray(taints).entries()) {
    const at = `spec.taints[${i}]`;
    if (!isRecord(taint)) continue;
    if (typeof taint.key !== "string" || taint.key === "") {
      errors.push(fieldErrors.required(`${at}.key`));
    }
    if (!TAINT_EFFECTS.includes(String(taint.effect))) {
      errors.push(
        taint.effect === undefined
          ? fieldErrors.required(`${at}.effect`)
          : fieldErrors.notSupported(`${at}.effect`, taint.effect, TAINT_EFFECTS),
      );
    }
  }
  return errors;
}

/** The Node strategy. */
export const NODE: ResourceStrategy = {
  hasStatus: true,
  validate: (node) => validateTaints(node.spec?.taints),
  validateUpdate(node, old) {
    const before = old.spec?.podCIDR;
    if (before && node.spec?.podCIDR !== before) {
      return [
        fieldErrors.forbidden(
          "spec.podCIDRs",
          'node updates may not change podCIDR except from "" to valid',
        ),
      ];
    }
    return [];
  },
  columns: [
    NAME_COLUMN,
    column("Status", "string", "The status of the node"),
    column("Roles", "string", "The roles of the node"),
    AGE_COLUMN,
    column("Version", "string", "Kubelet Version reported by the node."),
    column("Internal-IP", "string", "List of addresses reachable to the node.", true),
    column("External-IP", "string", "List of addresses reachable to the node.", true),
    column(
      "OS-Image",
      "string",
      "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).",
      true,
    ),
    column(
      "Kernel-Version",
      "string",
      "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
      true,
    ),
    column(
      "Container-Runtime",
      "string",
      "Container runtime version reported by the node through runtime remote API (e.g. containerd://1.4.2).",
      true,
    ),
  ],
  row: (node, now) => [
    node.metadata.name,
    nodeStatus(node),
    nodeRoles(node),
    ageOf(node, now),
    nodeInfo(node, "kubeletVersion"),
    address(node, "InternalIP"),
    address(node, "ExternalIP"),
    nodeInfo(node, "osImage") || "<unknown>",
    nodeInfo(node, "kernelVersion") || "<unknown>",
    nodeInfo(node, "containerRuntimeVersion") || "<unknown>",
  ],
  fieldSelectors: { "spec.unschedulable": (node) => String(node.spec?.unschedulable === true) },
};
