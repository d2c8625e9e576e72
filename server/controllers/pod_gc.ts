/**
 * The pod garbage collector, after upstream's PodGC controller: deletes finished (Succeeded or
 * Failed) pods beyond `--terminated-pod-gc-threshold`, oldest first; deletes pods bound to nodes
 * that no longer exist once the node has been gone for a quarantine (40 s, so a node deleted
 * and registered again keeps its pods) and a fresh read confirms it, marking running ones Failed
 * with a DisruptionTarget condition first; and force-deletes terminating pods that were never
 * scheduled.
 *
 * Upstream looks every 20 s; here changes to pods and nodes start a pass, passes coalesced into
 * at most one per `passDelayMs`, and a timer wakes the collector when a quarantine ends.
 *
 * @module
 */
import type { KubeObject } from "../../kube/types.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import { timestamp } from "../apiserver/object_meta.ts";
import { isConflict, isNotFound } from "../../kube/errors.ts";
import { isPodTerminal } from "./pod_state.ts";
import { CONTROLLER_FIELD_MANAGER } from "./replicaset.ts";
import { updateSameObject } from "./same_object.ts";
import { type ControllerOptions, objectKey } from "../../kube/informers/shared_informers.ts";
import { inProcessInformers } from "../apiserver/in_process_list_watch.ts";
import { controllerRunOptions, WorkQueue } from "../../kube/informers/workqueue.ts";

/** Upstream's default `--terminated-pod-gc-threshold`. */
export const DEFAULT_TERMINATED_POD_THRESHOLD = 12500;
/** How long a node must be gone before its pods are deleted, as upstream. */
export const DEFAULT_ORPHAN_QUARANTINE_MS = 40_000;

/** Options of {@link startPodGcController}. */
export interface PodGcControllerOptions extends ControllerOptions {
  /** Finished pods kept before the oldest are deleted; 0 or less keeps all (default 12500). */
  terminatedPodThreshold?: number;
  /** How long a node must be gone before its pods go (default 40 s). */
  orphanQuarantineMs?: number;
  /** Changes are gathered this long into one pass (default 1 s). */
  passDelayMs?: number;
  /** Milliseconds since the epoch (tests may fix it). */
  now?: () => number;
}

/**
 * The finished pods to delete so that at most `threshold` remain: oldest first (creation time,
 * then name), as upstream sorts them.
 */
export function terminatedPodsToDelete(
  pods: readonly KubeObject[],
  threshold: number,
): KubeObject[] {
  if (threshold <= 0) return [];
  const finished = pods.filter((p) => isPodTerminal(p) && !p.metadata.deletionTimestamp);
  const excess = finished.length - threshold;
  if (excess <= 0) return [];
  const created = (p: KubeObject) => Date.parse(p.metadata.creationTimestamp ?? "") || 0;
  return finished.sort((a, b) => created(a) - created(b) || (objectKey(a) < objectKey(b) ? -1 : 1))
    .slice(0, excess);
}

/** Runs the pod garbage collector until the signal aborts. */
export async function startPodGcController(
  stores: StoreSet,
  options: PodGcControllerOptions,
): Promise<void> {
  const { signal, logger } = options;
  const now = options.now ?? Date.now;
  const threshold = options.terminatedPodThreshold ?? DEFAULT_TERMINATED_POD_THRESHOLD;
  const quarantineMs = options.orphanQuarantineMs ?? DEFAULT_ORPHAN_QUARANTINE_MS;
  const passDelayMs = options.passDelayMs ?? 1000;
  const informers = options.informers ??
    inProcessInformers(stores, { signal, logger });
  const pods = informers.forKind("", "Pod");
  const nodes = informers.forKind("", "Node");
  const podStore = stores.forKind("", "Pod");
  const nodeStore = stores.forKind("", "Node");
  const queue = new WorkQueue();
  /** Node name -> when the collector first saw pods bound to it while it did not exist. */
  const missingSince = new Map<string, number>();
  const PASS = "pass";

  pods.subscribe(({ type }) => {
    if (type !== "DELETED") queue.addAfter(PASS, passDelayMs);
  });
  nodes.subscribe(() => queue.addAfter(PASS, passDelayMs));

  /** Deletes at once (grace 0), as upstream's force deletion. */
  const forceDelete = async (pod: KubeObject, reason: string) => {
    try {
      await podStore.delete(pod.metadata.namespace, pod.metadata.name!, {
        gracePeriodSeconds: 0,
        preconditions: { uid: pod.metadata.uid },
      });
      logger.info("PodGC deleted a pod", { pod: objectKey(pod), reason });
    } catch (error) {
      if (!isNotFound(error) && !isConflict(error)) throw error;
    }
  };

  /** A running pod on a vanished node is marked Failed (DisruptionTarget) before it goes. */
  const markFailed = async (pod: KubeObject) => {
    if (isPodTerminal(pod)) return;
    const at = timestamp(now());
    try {
      await updateSameObject(podStore, pod, (current) => {
        const conditions = (current.status?.conditions ?? []).filter((c: { type: string }) =>
          c.type !== "DisruptionTarget"
        );
        conditions.push({
          type: "DisruptionTarget",
          status: "True",
          reason: "DeletionByPodGC",
          message: "PodGC: node no longer exists",
          lastTransitionTime: at,
        });
        current.status = { ...current.status, phase: "Failed", conditions };
      }, { subresource: "status", fieldManager: CONTROLLER_FIELD_MANAGER });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  };

  const pass = async () => {
    const all = pods.list();
    const failures: unknown[] = [];
    const attempt = async (work: Promise<void>) => {
      try {
        await work;
      } catch (error) {
        failures.push(error);
      }
    };

    for (const pod of terminatedPodsToDelete(all, threshold)) {
      await attempt(forceDelete(pod, "terminated pods above the threshold"));
    }

    // Orphans: bound to a node that is gone.
    const at = now();
    const byMissingNode = new Map<string, KubeObject[]>();
    for (const pod of all) {
      const node = pod.spec?.nodeName;
      if (!node || nodes.get(undefined, node)) continue;
      let list = byMissingNode.get(node);
      if (!list) byMissingNode.set(node, list = []);
      list.push(pod);
    }
    for (const node of missingSince.keys()) {
      if (!byMissingNode.has(node)) missingSince.delete(node);
    }
    for (const [node, orphans] of byMissingNode) {
      const since = missingSince.get(node) ?? at;
      missingSince.set(node, since);
      if (at - since < quarantineMs) {
        queue.addAfter(PASS, since + quarantineMs - at);
        continue;
      }
      // The cache may be behind a node that came back: ask the store.
      if (await nodeStore.find(undefined, node)) {
        missingSince.delete(node);
        continue;
      }
      for (const pod of orphans) {
        await attempt(markFailed(pod).then(() => forceDelete(pod, `node ${node} is gone`)));
      }
    }

    // Terminating pods never scheduled: no kubelet will ever confirm their deletion.
    for (const pod of all) {
      if (pod.metadata.deletionTimestamp && !pod.spec?.nodeName && !isPodTerminal(pod)) {
        if (pod.metadata.deletionGracePeriodSeconds === 0) continue;
        await attempt(forceDelete(pod, "terminating and never scheduled"));
      }
    }
    if (failures.length) throw failures[0];
  };

  await queue.run(
    pass,
    { ...controllerRunOptions("pod-gc", options, informers.synced(pods, nodes)), workers: 1 },
  );
  if (!options.informers) await informers.stopped();
}
