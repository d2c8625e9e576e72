/**
 * NodeRestriction admission, the part authorisation cannot do: a create carries the object's
 * name only in its body, and an update's effect is only visible by comparing old and new. A
 * kubelet may only write its own Node (and not its taints or `node-restriction.kubernetes.io/`
 * labels), its own Lease in `kube-node-lease`, and the status of pods bound to it. Messages
 * follow upstream's plugin (`plugin/pkg/admission/noderestriction`).
 *
 * @module
 */
import { ApiError } from "../../../kube/errors.ts";
import { deepEqual } from "../../../kube/deep_equal.ts";
import type { KubeObject } from "../../../kube/types.ts";
import type { RequestUser } from "../../apiserver/store_types.ts";
import { NODE_LEASE_NAMESPACE, nodeIdentity } from "./node_authorizer.ts";

/** Labels only administrators may set on nodes (upstream's `node-restriction.kubernetes.io`). */
const RESTRICTED_LABEL_DOMAIN = "node-restriction.kubernetes.io";

/** The API group of each resource this admission looks at. */
const GROUPS: Record<string, string> = { nodes: "", pods: "", leases: "coordination.k8s.io" };

/**
 * Checks a write by a node against NodeRestriction.
 *
 * @param user who writes; non-node users are never restricted here.
 * @param resource plural with an optional subresource: `nodes`, `nodes/status`, `leases`,
 *   `pods/status`. Other resources pass.
 * @param verb `create`, `update`, `patch` or `delete`.
 * @param obj the object as it would be stored (for delete, the object being deleted).
 * @param old the stored object before an update.
 * @returns a 403 Forbidden to reject the write with, or undefined to let it through.
 *
 * @example
 * ```ts
 * const denied = checkNodeRestriction(
 *   { name: "system:node:a", groups: ["system:nodes"] },
 *   "nodes",
 *   "create",
 *   { metadata: { name: "b" } },
 * );
 * denied?.message; // 'nodes "b" is forbidden: node "a" is not allowed to modify node "b"'
 * ```
 */
export function checkNodeRestriction(
  user: RequestUser | undefined,
  resource: string,
  verb: string,
  obj: KubeObject | undefined,
  old?: KubeObject,
): ApiError | undefined {
  if (!user) return undefined;
  const node = nodeIdentity(user);
  if (node === undefined) return undefined;
  const [plural, subresource = ""] = resource.split("/");
  const group = GROUPS[plural];
  if (group === undefined) return undefined;
  const name = obj?.metadata?.name ?? old?.metadata?.name ?? "";
  const forbid = (why: string) => forbidden(plural, group, name, why);
  if (node === "") return forbid(`could not determine node from user ${JSON.stringify(user.name)}`);
  const updating = verb === "update" || verb === "patch";

  if (plural === "nodes") {
    if (name !== node) {
      return forbid(
        `node ${JSON.stringify(node)} is not allowed to modify node ${JSON.stringify(name)}`,
      );
    }
    if (subresource !== "") return undefined;
    if (verb === "create") {
      const labels = restrictedLabels(obj?.metadata?.labels, undefined);
      if (labels.length) {
        return forbid(
          `node ${JSON.stringify(node)} is not allowed to set the following labels: ${
            labels.join(", ")
          }`,
        );
      }
    }
    if (updating && old) {
      if (!deepEqual(obj?.spec?.taints ?? [], old.spec?.taints ?? [])) {
        return forbid(`node ${JSON.stringify(node)} is not allowed to modify taints`);
      }
      const labels = restrictedLabels(obj?.metadata?.labels, old.metadata.labels);
      if (labels.length) return forbid(`is not allowed to modify labels: ${labels.join(", ")}`);
    }
    return undefined;
  }

  if (plural === "leases") {
    const namespace = obj?.metadata?.namespace ?? old?.metadata?.namespace;
    if (namespace !== NODE_LEASE_NAMESPACE) {
      return forbid(`can only access leases in the "${NODE_LEASE_NAMESPACE}" system namespace`);
    }
    if (name !== node) {
      return forbid("can only access node lease with the same name as the requesting node");
    }
    return undefined;
  }

  if (plural === "pods" && subresource === "status" && updating) {
    if ((old ?? obj)?.spec?.nodeName !== node) {
      return forbid(
        `node ${
          JSON.stringify(node)
        } can only update pod status for pods with spec.nodeName set to itself`,
      );
    }
    if (old && !deepEqual(obj?.metadata?.labels ?? {}, old.metadata.labels ?? {})) {
      return forbid(`node ${JSON.stringify(node)} cannot update labels through pod status`);
    }
  }
  return undefined;
}

/** Keys under `node-restriction.kubernetes.io` added, removed or changed, sorted. */
function restrictedLabels(
  next: Record<string, string> | undefined,
  prev: Record<string, string> | undefined,
): string[] {
  const a = next ?? {};
  const b = prev ?? {};
  const changed = new Set<string>();
  for (const k of Object.keys(a)) if (a[k] !== b[k]) changed.add(k);
  for (const k of Object.keys(b)) if (a[k] !== b[k]) changed.add(k);
  return [...changed].filter((key) => {
    const slash = key.indexOf("/");
    if (slash < 0) return false;
    const domain = key.slice(0, slash);
    return domain === RESTRICTED_LABEL_DOMAIN || domain.endsWith(`.${RESTRICTED_LABEL_DOMAIN}`);
  }).sort();
}

/** Upstream's `NewForbidden(resource, name, err)`: `nodes "b" is forbidden: <why>`. */
function forbidden(resource: string, group: string, name: string, why: string): ApiError {
  const qualified = group ? `${resource}.${group}` : resource;
  const target = name ? `${qualified} ${JSON.stringify(name)}` : qualified;
  return new ApiError(403, "Forbidden", `${target} is forbidden: ${why}`, {
    name: name || undefined,
    group,
    kind: resource,
  });
}
