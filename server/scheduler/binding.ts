/**
 * Writing the scheduler's decisions: binding through the API server's `bindPod` (the same
 * call `POST .../binding` makes) and the `PodScheduled` condition of a pod that fits nowhere.
 *
 * @module
 */
import { ApiError } from "../../kube/errors.ts";
import type { KubeObject } from "../../kube/types.ts";
import { setPodScheduledCondition } from "../apiserver/pod_binding.ts";
import type { RestStore } from "../apiserver/rest_store.ts";
import type { RequestUser } from "../apiserver/store_types.ts";

/** The scheduler's identity on its writes. */
export const SCHEDULER_USER: RequestUser = {
  name: "system:kube-scheduler",
  groups: ["system:authenticated"],
};

/** The field manager of the scheduler's writes. */
export const SCHEDULER_FIELD_MANAGER = "kube-scheduler";

/**
 * Records that a pod fits nowhere: PodScheduled=False with the reason and message, unless the
 * pod was bound, is being deleted, or already says exactly this (then nothing is written).
 * @returns whether the condition was written.
 */
export async function markUnschedulable(
  pods: RestStore,
  pod: KubeObject,
  reason: string,
  message: string,
): Promise<boolean> {
  const { namespace, name, uid } = pod.metadata;
  let changed = false;
  try {
    await pods.updateWith(namespace, name!, (current) => {
      changed = false;
      if (current.metadata.uid !== uid || current.spec?.nodeName) return current;
      if (current.metadata.deletionTimestamp) return current;
      changed = setPodScheduledCondition(current, "False", { reason, message });
      return current;
    }, { subresource: "status", fieldManager: SCHEDULER_FIELD_MANAGER, user: SCHEDULER_USER });
  } catch (error) {
    if (error instanceof ApiError && error.code === 404) return false;
    throw error;
  }
  return changed;
}

export { type BindOptions, bindPod, setPodScheduledCondition } from "../apiserver/pod_binding.ts";
