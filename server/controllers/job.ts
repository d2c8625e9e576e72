/**
 * The Job controller: runs a Job's pods -- `parallelism` at a time until `completions` succeeded
 * (NonIndexed), or one pod per completion index (Indexed) -- replacing failed pods after a
 * doubling back-off, failing the Job past `backoffLimit` or `activeDeadlineSeconds`, deleting
 * its pods while suspended, and reporting active, ready, terminating, succeeded and failed pods.
 *
 * Finished pods are counted exactly once as upstream does it: each pod is created with the
 * `batch.kubernetes.io/job-tracking` finalizer; a finished pod's UID is first written to
 * `status.uncountedTerminatedPods` (an Indexed success to `completedIndexes` instead), then its
 * finalizer is removed, then the UID moves into the `succeeded`/`failed` counters. Every status
 * write carries the resourceVersion it was computed from, so a stale read cannot count twice,
 * and pods whose finalizer removal has not reached the cache yet are skipped.
 *
 * A finished Job first gets the interim condition (SuccessCriteriaMet or FailureTarget) while its
 * remaining pods go, then Complete or Failed once none is left, as upstream since 1.31. The
 * TTL-after-finished controller runs alongside (`job_ttl.ts`).
 *
 * @module
 */
import { clone, deepEqual } from "../../kube/deep_equal.ts";
import type { KubeObject } from "../../kube/types.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import { timestamp } from "../apiserver/object_meta.ts";
import { isNamespaceTerminating } from "./api_errors.ts";
import { isNotFound } from "../../kube/errors.ts";
import {
  claimObjects,
  CONTROLLER_UID_INDEX,
  controllerRefOf,
  indexByController,
  newControllerRef,
  recheckOwner,
  resolveControllerRef,
  selectorOf,
} from "./controller_ref.ts";
import { EventRecorder } from "./event_recorder.ts";
import { Expectations } from "./expectations.ts";
import { startJobTtlController } from "./job_ttl.ts";
import {
  activeDeadlineRemainingMs,
  COMPLETION_INDEX_KEY,
  completionIndexOf,
  countReady,
  DEFAULT_POD_FAILURE_BACKOFF_MS,
  finishedCondition,
  formatIndexes,
  hasTrackingFinalizer,
  isPodFailedForJob,
  isPodTerminating,
  JOB_TRACKING_FINALIZER,
  jobConditions,
  JobReason,
  parseIndexes,
  pastBackoffLimitOnFailure,
  podFailureBackoffMs,
  podFinishedAt,
  putCondition,
  successCriteriaMet,
  trueCondition,
  wantedActive,
} from "./job_tracking.ts";
import { observePodEvent, PodControl } from "./pod_control.ts";
import { isPodActive, rankForDeletion } from "./pod_state.ts";
import { CONTROLLER_FIELD_MANAGER } from "./replicaset.ts";
import { updateSameObject } from "./same_object.ts";
import {
  type CacheEvent,
  type ControllerOptions,
  objectKey,
  splitKey,
} from "../../kube/informers/shared_informers.ts";
import { inProcessInformers } from "../apiserver/in_process_list_watch.ts";
import { controllerRunOptions, WorkQueue } from "../../kube/informers/workqueue.ts";

const JOB_TYPE = { apiVersion: "batch/v1", kind: "Job" };

/** At most this many pods are created or deleted in one sync, as upstream's burst. */
const BURST_PODS = 500;

/** Options of {@link startJobController}. */
export interface JobControllerOptions extends ControllerOptions {
  /** Milliseconds since the epoch (tests may fix it). */
  now?: () => number;
  /** First delay before a failed pod is replaced (default 10 s, as upstream). */
  podFailureBackoffMs?: number;
}

/** A pod for a Job from its template, with the tracking finalizer (and index, when Indexed). */
function podFromTemplate(job: KubeObject, index: number | undefined): KubeObject {
  const template = job.spec?.template ?? {};
  const name = job.metadata.name!;
  const labels: Record<string, string> = clone(template.metadata?.labels ?? {});
  const annotations: Record<string, string> = clone(template.metadata?.annotations ?? {});
  const spec = clone(template.spec ?? {});
  if (index !== undefined) {
    annotations[COMPLETION_INDEX_KEY] = String(index);
    labels[COMPLETION_INDEX_KEY] = String(index);
    spec.hostname ??= `${name}-${index}`;
  }
  const metadata: KubeObject["metadata"] = {
    generateName: index === undefined ? `${name}-` : `${name}-${index}-`,
    namespace: job.metadata.namespace,
    labels,
    ownerReferences: [newControllerRef(job, JOB_TYPE)],
    finalizers: [...(template.metadata?.finalizers ?? []), JOB_TRACKING_FINALIZER],
  };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  return { apiVersion: "v1", kind: "Pod", metadata, spec };
}

/** Failures since the last success, and when the last one happened, from the pods still here. */
function failureStreak(
  pods: readonly KubeObject[],
  job: KubeObject,
): { count: number; lastAt: number } {
  let lastSuccess = 0;
  for (const pod of pods) {
    if (pod.status?.phase === "Succeeded") lastSuccess = Math.max(lastSuccess, podFinishedAt(pod));
  }
  let count = 0;
  let lastAt = 0;
  for (const pod of pods) {
    if (!isPodFailedForJob(pod, job)) continue;
    const at = podFinishedAt(pod);
    if (at < lastSuccess) continue;
    count++;
    lastAt = Math.max(lastAt, at);
  }
  return { count, lastAt };
}

interface Uncounted {
  succeeded: string[];
  failed: string[];
}

/** Runs the Job controller (and the TTL-after-finished controller) until the signal aborts. */
export async function startJobController(
  stores: StoreSet,
  options: JobControllerOptions,
): Promise<void> {
  const { signal, logger } = options;
  const now = options.now ?? Date.now;
  const backoffBaseMs = options.podFailureBackoffMs ?? DEFAULT_POD_FAILURE_BACKOFF_MS;
  const informers = options.informers ??
    inProcessInformers(stores, { signal, logger });
  const jobs = informers.forKind("batch", "Job");
  const pods = informers.forKind("", "Pod");
  indexByController(pods);
  const podStore = stores.forKind("", "Pod");
  const jobStore = stores.forKind("batch", "Job");
  const queue = new WorkQueue();
  /** Pods whose tracking finalizer may be dropped now that no Job will count them. */
  const orphanQueue = new WorkQueue();
  const expectations = new Expectations({ now });
  /** UID of a pod whose finalizer removal was sent -> its Job's key; skipped until seen. */
  const finalizerRemovals = new Map<string, string>();
  /** The resourceVersion of each Job's last status write: an older cached copy is stale. */
  const written = new Map<string, number>();
  const events = new EventRecorder(stores.forKind("", "Event"), {
    component: "job-controller",
    logger,
  });
  const podControl = new PodControl({
    podStore,
    events,
    expectations,
    fieldManager: CONTROLLER_FIELD_MANAGER,
  });

  const resolve = (pod: KubeObject) =>
    resolveControllerRef(jobs, JOB_TYPE, pod.metadata.namespace, controllerRefOf(pod));

  jobs.subscribe(({ type, object: job }: CacheEvent) => {
    const key = objectKey(job);
    if (type === "DELETED") {
      expectations.delete(key);
      written.delete(key);
      for (const pod of pods.byIndex(CONTROLLER_UID_INDEX, job.metadata.uid!)) {
        if (hasTrackingFinalizer(pod)) orphanQueue.add(objectKey(pod));
      }
    }
    queue.add(key);
  });

  pods.subscribe((event: CacheEvent) => {
    const { type, object: pod } = event;
    if (type === "DELETED" || !hasTrackingFinalizer(pod)) {
      finalizerRemovals.delete(pod.metadata.uid!);
    }
    const owner = resolve(pod);
    if (!owner) {
      if (type !== "DELETED" && hasTrackingFinalizer(pod)) orphanQueue.add(objectKey(pod));
      return;
    }
    const key = objectKey(owner);
    observePodEvent(expectations, key, event);
    queue.add(key);
  });

  /** Drops the tracking finalizer; a pod the kubelet already released is then deleted. */
  const releasePod = async (pod: KubeObject, jobKey: string | undefined): Promise<boolean> => {
    if (jobKey) finalizerRemovals.set(pod.metadata.uid!, jobKey);
    try {
      // A pod whose kubelet already confirmed its deletion goes with its last finalizer.
      await updateSameObject(podStore, pod, (current) => {
        const rest = (current.metadata.finalizers ?? []).filter((f) =>
          f !== JOB_TRACKING_FINALIZER
        );
        if (rest.length) current.metadata.finalizers = rest;
        else delete current.metadata.finalizers;
      }, { fieldManager: CONTROLLER_FIELD_MANAGER });
      return true;
    } catch (error) {
      if (isNotFound(error)) return true;
      finalizerRemovals.delete(pod.metadata.uid!);
      throw error;
    }
  };

  /** Releases pods, all attempted; returns the UIDs released, throws the first failure after. */
  const releasePods = async (list: readonly KubeObject[], jobKey: string) => {
    const results = await Promise.allSettled(list.map((p) => releasePod(p, jobKey)));
    const released = new Set<string>();
    let failure: unknown;
    results.forEach((r, i) => {
      if (r.status === "fulfilled") released.add(list[i].metadata.uid!);
      else failure ??= r.reason;
    });
    return { released, failure };
  };

  const syncOrphanPod = async (key: string) => {
    const { namespace, name } = splitKey(key);
    const pod = pods.get(namespace, name);
    if (!pod || !hasTrackingFinalizer(pod)) return;
    const owner = resolve(pod);
    if (owner && !owner.metadata.deletionTimestamp && !finishedCondition(owner)) return;
    await releasePod(pod, undefined);
  };

  /** Writes status guarded by the read resourceVersion; returns the Job as written. */
  const writeStatus = async (job: KubeObject, status: Record<string, unknown>) => {
    const { object } = await jobStore.update(job.metadata.namespace, job.metadata.name!, {
      ...job,
      status,
    }, { subresource: "status", fieldManager: CONTROLLER_FIELD_MANAGER });
    written.set(objectKey(job), Number(object.metadata.resourceVersion));
    return object;
  };

  const sync = async (key: string) => {
    const { namespace, name } = splitKey(key);
    const job = jobs.get(namespace, name);
    if (!job) return;
    // Our own last write has not reached the cache yet: its event brings the Job back.
    if (Number(job.metadata.resourceVersion) < (written.get(key) ?? 0)) return;
    const at = now();
    const time = timestamp(at);

    if (job.metadata.deletionTimestamp || finishedCondition(job)) {
      // Nothing more is counted: let every pod go.
      const holding = pods.byIndex(CONTROLLER_UID_INDEX, job.metadata.uid!)
        .filter(hasTrackingFinalizer);
      const { failure } = await releasePods(holding, key);
      if (failure) throw failure;
      return;
    }

    const claimed = await claimObjects({
      owner: job,
      ownerType: JOB_TYPE,
      selector: selectorOf(job),
      cache: pods,
      store: podStore,
      fieldManager: CONTROLLER_FIELD_MANAGER,
      canAdopt: recheckOwner(jobStore, job),
    });
    const indexed = job.spec?.completionMode === "Indexed";
    const completions: number | undefined = job.spec?.completions;
    const inRange = (pod: KubeObject) => {
      if (!indexed) return true;
      const index = completionIndexOf(pod);
      return index !== undefined && index < (completions ?? 0);
    };
    const prior = (job.status ?? {}) as Record<string, unknown>;
    const priorUncounted = (prior.uncountedTerminatedPods ?? {}) as Partial<Uncounted>;
    const uncounted: Uncounted = {
      succeeded: [...(priorUncounted.succeeded ?? [])],
      failed: [...(priorUncounted.failed ?? [])],
    };
    const completedIndexes = parseIndexes(prior.completedIndexes);
    let active = claimed.filter(isPodActive);
    const terminating = claimed.filter(isPodTerminating);

    // Newly finished pods, not yet recorded anywhere.
    const recorded = new Set([...uncounted.succeeded, ...uncounted.failed]);
    let newSucceeded = 0;
    let newFailed = 0;
    for (const pod of claimed) {
      const uid = pod.metadata.uid!;
      if (!hasTrackingFinalizer(pod) || finalizerRemovals.has(uid) || recorded.has(uid)) continue;
      if (pod.status?.phase === "Succeeded") {
        if (indexed) {
          const index = completionIndexOf(pod);
          if (index !== undefined && inRange(pod) && !completedIndexes.has(index)) {
            completedIndexes.add(index);
            newSucceeded++;
          }
        } else {
          uncounted.succeeded.push(uid);
          newSucceeded++;
        }
      } else if (isPodFailedForJob(pod, job) && inRange(pod)) {
        uncounted.failed.push(uid);
        newFailed++;
      }
    }
    const succeeded = indexed
      ? completedIndexes.size
      : (prior.succeeded as number ?? 0) + uncounted.succeeded.length;
    const failed = (prior.failed as number ?? 0) + uncounted.failed.length;

    const status: Record<string, unknown> = clone(prior);
    const suspended = job.spec?.suspend === true;
    if (!suspended && !status.startTime) status.startTime = time;

    // Has the Job failed, or met its success criteria?
    let interim = trueCondition(job, "FailureTarget") ?? trueCondition(job, "SuccessCriteriaMet");
    if (!interim) {
      const limit = job.spec?.backoffLimit ?? 6;
      const deadline = activeDeadlineRemainingMs({ ...job, status }, at);
      const failure = failed > limit || pastBackoffLimitOnFailure(job, active)
        ? JobReason.backoffLimitExceeded
        : deadline !== undefined && deadline <= 0
        ? JobReason.deadlineExceeded
        : undefined;
      if (failure) {
        putCondition(status, { type: "FailureTarget", status: "True", ...failure }, time);
      } else if (successCriteriaMet(job, succeeded, active.length)) {
        putCondition(status, {
          type: "SuccessCriteriaMet",
          status: "True",
          ...JobReason.completionsReached,
        }, time);
      } else if (deadline !== undefined) queue.addAfter(key, deadline);
      interim = jobConditions({ ...job, status }).find((c) =>
        c.type === "FailureTarget" || c.type === "SuccessCriteriaMet"
      );
    }

    let manageError: unknown;
    let stopping = 0;
    try {
      if (interim || suspended) {
        // Nothing more runs: the remaining pods go (and count as failed once terminating).
        if (expectations.satisfied(key)) {
          stopping = active.length;
          const remove = active;
          active = [];
          await podControl.createAndDelete(job, key, { remove });
        }
      } else if (expectations.satisfied(key)) {
        active = await manage(job, key, claimed, active, succeeded, completedIndexes, at);
      }
    } catch (error) {
      manageError = error;
    }

    // Suspension, as upstream reports it.
    const suspendedCondition = trueCondition(job, "Suspended");
    if (suspended && !suspendedCondition && !interim) {
      putCondition(status, {
        type: "Suspended",
        status: "True",
        reason: "JobSuspended",
        message: "Job suspended",
      }, time);
      events.normal(job, "Suspended", "Job suspended");
    } else if (!suspended && suspendedCondition) {
      putCondition(status, {
        type: "Suspended",
        status: "False",
        reason: "JobResumed",
        message: "Job resumed",
      }, time);
      // The active deadline counts from the resumption.
      status.startTime = time;
      events.normal(job, "Resumed", "Job resumed");
    }

    status.active = active.length;
    status.ready = countReady(active);
    status.terminating = terminating.length + stopping;
    if (indexed) {
      status.succeeded = completedIndexes.size;
      status.completedIndexes = formatIndexes(completedIndexes) ?? "";
    }
    status.uncountedTerminatedPods = {
      ...(uncounted.succeeded.length ? { succeeded: uncounted.succeeded } : {}),
      ...(uncounted.failed.length ? { failed: uncounted.failed } : {}),
    };

    // 1. Record what finished before any finalizer goes.
    let current = job;
    if (!deepEqual(clean(status), clean(prior))) current = await writeStatus(current, status);

    // 2. Let the recorded pods go.
    const recordedNow = new Set([...uncounted.succeeded, ...uncounted.failed]);
    const toRelease = claimed.filter((pod) => {
      if (!hasTrackingFinalizer(pod) || finalizerRemovals.has(pod.metadata.uid!)) return false;
      if (recordedNow.has(pod.metadata.uid!)) return true;
      // Indexed successes are kept by index; finished pods out of range are not counted.
      const finished = pod.status?.phase === "Succeeded" || isPodFailedForJob(pod, job);
      return finished && (indexed || !inRange(pod));
    });
    const { released, failure: releaseError } = await releasePods(toRelease, key);

    // 3. Count what no longer holds a finalizer.
    const holding = new Set(
      claimed.filter((p) =>
        hasTrackingFinalizer(p) && !released.has(p.metadata.uid!) &&
        !finalizerRemovals.has(p.metadata.uid!)
      ).map((p) => p.metadata.uid!),
    );
    const counted = { succeeded: 0, failed: 0 };
    const keep = (list: string[], kind: "succeeded" | "failed") =>
      list.filter((uid) => {
        if (holding.has(uid)) return true;
        counted[kind]++;
        return false;
      });
    uncounted.succeeded = keep(uncounted.succeeded, "succeeded");
    uncounted.failed = keep(uncounted.failed, "failed");
    const next: Record<string, unknown> = clone(current.status ?? {});
    if (!indexed && counted.succeeded) {
      next.succeeded = (next.succeeded as number ?? 0) + counted.succeeded;
    }
    if (counted.failed) next.failed = (next.failed as number ?? 0) + counted.failed;
    next.uncountedTerminatedPods = {
      ...(uncounted.succeeded.length ? { succeeded: uncounted.succeeded } : {}),
      ...(uncounted.failed.length ? { failed: uncounted.failed } : {}),
    };

    // 4. Finished once nothing runs, terminates or waits to be counted.
    const settled = interim && active.length === 0 && status.terminating === 0 &&
      uncounted.succeeded.length === 0 && uncounted.failed.length === 0;
    if (settled) {
      const success = interim!.type === "SuccessCriteriaMet";
      putCondition(next, {
        type: success ? "Complete" : "Failed",
        status: "True",
        reason: interim!.reason,
        message: interim!.message,
      }, time);
      if (success) {
        next.completionTime = time;
        events.normal(job, "Completed", "Job completed");
      } else events.warning(job, interim!.reason!, interim!.message!);
    }
    if (!deepEqual(clean(next), clean(current.status ?? {}))) {
      current = await writeStatus(current, next);
    }
    if (newFailed > 0 || newSucceeded > 0) logger.debug("Job pods finished", { job: key });
    // A terminating namespace refuses new pods: nothing to retry.
    if (manageError && !isNamespaceTerminating(manageError)) throw manageError;
    if (releaseError) throw releaseError;
  };

  /** Creates or deletes pods towards the wanted number; returns the pods still active. */
  const manage = async (
    job: KubeObject,
    key: string,
    claimed: readonly KubeObject[],
    active: KubeObject[],
    succeeded: number,
    completedIndexes: Set<number>,
    at: number,
  ): Promise<KubeObject[]> => {
    const want = wantedActive(job, succeeded, active.length);
    if (active.length > want) {
      const remove = rankForDeletion(active).slice(0, Math.min(active.length - want, BURST_PODS));
      const going = new Set(remove.map((p) => p.metadata.uid));
      await podControl.createAndDelete(job, key, { remove });
      return active.filter((p) => !going.has(p.metadata.uid));
    }
    if (active.length === want) return active;
    // Failed pods hold back their replacements for a doubling back-off.
    const streak = failureStreak(claimed, job);
    const waitMs = streak.lastAt + podFailureBackoffMs(streak.count, backoffBaseMs) - at;
    if (streak.count > 0 && waitMs > 0) {
      queue.addAfter(key, waitMs);
      return active;
    }
    const count = Math.min(want - active.length, BURST_PODS);
    let indexes: (number | undefined)[];
    if (job.spec?.completionMode === "Indexed") {
      const running = new Set(active.map(completionIndexOf));
      indexes = [];
      for (let i = 0; i < (job.spec?.completions ?? 0) && indexes.length < count; i++) {
        if (!completedIndexes.has(i) && !running.has(i)) indexes.push(i);
      }
    } else indexes = Array.from({ length: count }, () => undefined);
    const create = indexes.map((index) => podFromTemplate(job, index));
    await podControl.createAndDelete(job, key, { create });
    return active;
  };

  await Promise.all([
    queue.run(sync, controllerRunOptions("job", options, informers.synced(jobs, pods))),
    orphanQueue.run(
      syncOrphanPod,
      controllerRunOptions("job-orphan-pods", options, informers.synced(jobs, pods)),
    ),
    startJobTtlController(stores, { ...options, informers, now }),
  ]);
  if (!options.informers) await informers.stopped();
}

/** A status without undefined members, for comparison. */
function clean(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}
