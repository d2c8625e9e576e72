/**
 * The stable identity a StatefulSet gives each replica: the name `<set>-<ordinal>`, hostname and
 * subdomain (the governing Service), the pod-name, pod-index and revision labels, and one
 * PersistentVolumeClaim per claim template named `<claim>-<set>-<ordinal>`, mounted in place of
 * the template's volume of the same name -- as upstream's `newStatefulSetPod` builds them.
 *
 * @module
 */
import { clone } from "../../kube/deep_equal.ts";
import type { KubeObject } from "../../kube/types.ts";
import { REVISION_HASH_LABEL } from "./controller_history.ts";
import { newControllerRef } from "./controller_ref.ts";

/** The label holding the pod's own name, so a Service can select one replica. */
export const POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
/** The label holding the pod's ordinal. */
export const POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";

/** The kind a StatefulSet's controller references name. */
export const STATEFUL_SET_TYPE = { apiVersion: "apps/v1", kind: "StatefulSet" };

/** The first ordinal (`spec.ordinals.start`, 0 by default). */
export function startOrdinal(set: KubeObject): number {
  const start = set.spec?.ordinals?.start;
  return typeof start === "number" && start > 0 ? start : 0;
}

/** `spec.replicas` (1 when unset, as defaulted). */
export function desiredReplicas(set: KubeObject): number {
  const replicas = set.spec?.replicas;
  return typeof replicas === "number" ? replicas : 1;
}

/** The name of the replica with `ordinal`. */
export function podName(set: KubeObject, ordinal: number): string {
  return `${set.metadata.name}-${ordinal}`;
}

/**
 * The ordinal of a pod the set may own (named `<set>-<n>`), or undefined for any other name:
 * pods named otherwise are not members, whatever their labels.
 */
export function ordinalOf(set: KubeObject, pod: KubeObject): number | undefined {
  const prefix = `${set.metadata.name}-`;
  const name = pod.metadata.name ?? "";
  if (!name.startsWith(prefix)) return undefined;
  const digits = name.slice(prefix.length);
  if (!/^(0|[1-9][0-9]*)$/.test(digits)) return undefined;
  const ordinal = Number(digits);
  return Number.isSafeInteger(ordinal) ? ordinal : undefined;
}

/** The revision label of a pod ("" when it has none). */
export function podRevision(pod: KubeObject): string {
  return pod.metadata.labels?.[REVISION_HASH_LABEL] ?? "";
}

/** The claim name of a claim template for one ordinal. */
export function claimName(set: KubeObject, claimTemplate: KubeObject, ordinal: number): string {
  return `${claimTemplate.metadata?.name}-${set.metadata.name}-${ordinal}`;
}

function claimTemplates(set: KubeObject): KubeObject[] {
  const templates: unknown = set.spec?.volumeClaimTemplates;
  return Array.isArray(templates) ? templates.filter((t) => t?.metadata?.name) : [];
}

/**
 * The claims a replica needs, ready to create: the template's metadata and spec under the
 * claim's own name, labelled with the set's selector labels so they can be found again.
 */
export function claimsFor(set: KubeObject, ordinal: number): KubeObject[] {
  const selectorLabels: Record<string, string> = set.spec?.selector?.matchLabels ?? {};
  return claimTemplates(set).map((template) => {
    const metadata: KubeObject["metadata"] = {
      name: claimName(set, template, ordinal),
      namespace: set.metadata.namespace,
      labels: { ...(template.metadata.labels ?? {}), ...selectorLabels },
    };
    if (template.metadata.annotations) metadata.annotations = clone(template.metadata.annotations);
    return {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata,
      spec: clone(template.spec ?? {}),
    };
  });
}

/**
 * A new replica from a pod template (the set's, or an earlier revision's): named for its
 * ordinal, controlled by the set, labelled with its identity and revision, with its claims
 * mounted.
 */
export function newReplicaPod(
  set: KubeObject,
  template: KubeObject["spec"],
  ordinal: number,
  revision: string,
): KubeObject {
  const name = podName(set, ordinal);
  const metadata: KubeObject["metadata"] = {
    name,
    namespace: set.metadata.namespace,
    labels: {
      ...(template?.metadata?.labels ?? {}),
      [POD_NAME_LABEL]: name,
      [POD_INDEX_LABEL]: String(ordinal),
      [REVISION_HASH_LABEL]: revision,
    },
    ownerReferences: [newControllerRef(set, STATEFUL_SET_TYPE)],
  };
  if (template?.metadata?.annotations) metadata.annotations = clone(template.metadata.annotations);
  if (template?.metadata?.finalizers) metadata.finalizers = clone(template.metadata.finalizers);
  const spec = clone(template?.spec ?? {});
  spec.hostname = name;
  if (set.spec?.serviceName) spec.subdomain = set.spec.serviceName;
  const claims = claimTemplates(set);
  if (claims.length > 0) {
    const claimed = new Set(claims.map((c) => c.metadata.name));
    const volumes: Record<string, unknown>[] = Array.isArray(spec.volumes) ? spec.volumes : [];
    spec.volumes = [
      ...volumes.filter((v) => !claimed.has(v?.name as string)),
      ...claims.map((c) => ({
        name: c.metadata.name,
        persistentVolumeClaim: { claimName: claimName(set, c, ordinal) },
      })),
    ];
  }
  return { apiVersion: "v1", kind: "Pod", metadata, spec };
}
