/**
 * Binding a pod to a node: what `POST pods/<name>/binding` does, and what the scheduler calls
 * in-process -- set `spec.nodeName` and the PodScheduled condition in one write.
 *
 * @module
 */
import { ApiError } from "../../kube/errors.ts";
import type { KubeObject } from "../../kube/types.ts";
import { timestamp } from "./object_meta.ts";
import type { RestStore } from "./rest_store.ts";
import type { RequestUser, WriteResult } from "./store_types.ts";

/** A pod condition as the API stores it. */
interface PodCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastProbeTime: string | null;
  lastTransitionTime: string;
}

/**
 * Sets (or replaces) a pod's PodScheduled condition. The transition time moves only when the
 * status changes, as upstream's UpdatePodCondition.
 * @returns false when the condition was already exactly this.
 */
export function setPodScheduledCondition(
  pod: KubeObject,
  status: "True" | "False",
  details: { reason?: string; message?: string } = {},
  now = Date.now(),
): boolean {
  const conditions: PodCondition[] = (pod.status ??= {}).conditions ??= [];
  const at = conditions.findIndex((c) => c.type === "PodScheduled");
  const old = at >= 0 ? conditions[at] : undefined;
  if (
    old && old.status === status && old.reason === details.reason &&
    old.message === details.message
  ) return false;
  const condition: PodCondition = {
    type: "PodScheduled",
    status,
    ...(details.reason !== undefined ? { reason: details.reason } : {}),
    ...(details.message !== undefined ? { message: details.message } : {}),
    lastProbeTime: null,
    lastTransitionTime: old?.status === status ? old.lastTransitionTime : timestamp(now),
  };
  if (at >= 0) conditions[at] = condition;
  else conditions.push(condition);
  return true;
}

/** Options of {@link bindPod}. */
export interface BindOptions {
  /** Who binds, for admission (the scheduler: {@link SCHEDULER_USER}). */
  user?: RequestUser;
  /** The managedFields manager of the write. */
  fieldManager?: string;
}

/**
 * Binds a pod to a node as the `binding` subresource does: sets `spec.nodeName` and the
 * PodScheduled=True condition in one write.
 * @throws {ApiError} 404 when the pod is gone, 409 when it is being deleted or already bound.
 */
export function bindPod(
  pods: RestStore,
  namespace: string,
  name: string,
  node: string,
  options: BindOptions = {},
): Promise<WriteResult> {
  return pods.updateWith(namespace, name, (pod) => {
    if (pod.metadata.deletionTimestamp) {
      throw ApiError.conflict(
        pods.ref,
        name,
        `pod ${name} is being deleted, cannot be assigned to a host`,
      );
    }
    if (pod.spec?.nodeName) {
      throw ApiError.conflict(
        pods.ref,
        name,
        `pod ${name} is already assigned to node "${pod.spec.nodeName}"`,
      );
    }
    pod.spec.nodeName = node;
    setPodScheduledCondition(pod, "True");
    return pod;
  }, { subresource: "binding", user: options.user, fieldManager: options.fieldManager });
}
