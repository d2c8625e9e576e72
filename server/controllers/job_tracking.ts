/**
 * What the Job controller reads from a Job and its pods, as pure functions: completion indexes
 * and their interval notation (`1,3-5`), which finished pods still wait to be counted, whether
 * the Job failed (backoff limit, active deadline) or met its success criteria, how long failed
 * pods hold back their replacements, and the conditions upstream writes.
 *
 * @module
 */
import type { KubeObject } from "../../kube/types.ts";
import { isPodReady } from "./pod_state.ts";

/** The finalizer that keeps a finished pod until its Job has counted it. */
export const JOB_TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking";
/** Annotation (and label) of an Indexed Job's pod: its completion index. */
export const COMPLETION_INDEX_KEY = "batch.kubernetes.io/job-completion-index";

/** First delay before a failed pod is replaced; doubles per failure since the last success. */
export const DEFAULT_POD_FAILURE_BACKOFF_MS = 10_000;
/** Ceiling of that delay, as upstream's MaxJobPodFailureBackOff. */
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000;

/** A Job condition as written in status. */
export interface JobCondition {
  type: string;
  status: "True" | "False";
  reason?: string;
  message?: string;
  lastProbeTime: string;
  lastTransitionTime: string;
}

/** Reasons and messages of upstream's terminal and interim conditions. */
export const JobReason = {
  backoffLimitExceeded: {
    reason: "BackoffLimitExceeded",
    message: "Job has reached the specified backoff limit",
  },
  deadlineExceeded: {
    reason: "DeadlineExceeded",
    message: "Job was active longer than specified deadline",
  },
  completionsReached: {
    reason: "CompletionsReached",
    message: "Reached expected number of succeeded pods",
  },
} as const;

/** The conditions of a Job's status. */
export function jobConditions(job: KubeObject): JobCondition[] {
  const conditions: unknown = job.status?.conditions;
  return Array.isArray(conditions) ? conditions : [];
}

/** The condition `type` when it is True. */
export function trueCondition(job: KubeObject, type: string): JobCondition | undefined {
  return jobConditions(job).find((c) => c.type === type && c.status === "True");
}

/** Complete or Failed: nothing more will run. */
export function finishedCondition(job: KubeObject): JobCondition | undefined {
  return trueCondition(job, "Complete") ?? trueCondition(job, "Failed");
}

/** Sets a condition in a status being built (replacing one of the same type). */
export function putCondition(
  status: Record<string, unknown>,
  condition: Omit<JobCondition, "lastProbeTime" | "lastTransitionTime">,
  at: string,
): void {
  const conditions = (status.conditions ?? []) as JobCondition[];
  const existing = conditions.find((c) => c.type === condition.type);
  if (
    existing && existing.status === condition.status && existing.reason === condition.reason
  ) return;
  const next: JobCondition = { ...condition, lastProbeTime: at, lastTransitionTime: at };
  status.conditions = existing
    ? conditions.map((c) => c === existing ? next : c)
    : [...conditions, next];
}

/** The completion index of an Indexed Job's pod, or undefined when it has none readable. */
export function completionIndexOf(pod: KubeObject): number | undefined {
  const text = pod.metadata.annotations?.[COMPLETION_INDEX_KEY] ??
    pod.metadata.labels?.[COMPLETION_INDEX_KEY];
  if (text === undefined || !/^[0-9]+$/.test(text)) return undefined;
  return Number(text);
}

/** `status.completedIndexes` (`1,3-5`) as a set. */
export function parseIndexes(text: unknown): Set<number> {
  const indexes = new Set<number>();
  if (typeof text !== "string") return indexes;
  for (const part of text.split(",")) {
    const [low, high] = part.split("-").map((n) => Number.parseInt(n, 10));
    if (Number.isNaN(low)) continue;
    for (let i = low; i <= (Number.isNaN(high ?? NaN) ? low : high); i++) indexes.add(i);
  }
  return indexes;
}

/** A set of indexes as ascending intervals (`1,3-5`), or undefined when empty. */
export function formatIndexes(indexes: Iterable<number>): string | undefined {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.length ? parts.join(",") : undefined;
}

/** Whether terminating pods are replaced only once Failed (not while terminating). */
function onlyReplaceFailedPods(job: KubeObject): boolean {
  return job.spec?.podReplacementPolicy === "Failed" || job.spec?.podFailurePolicy != null;
}

/**
 * A pod that counts as a failure: Failed, or -- unless the Job replaces only Failed pods --
 * deleted before it succeeded (an orphan or evicted pod may never reach Failed).
 */
export function isPodFailedForJob(pod: KubeObject, job: KubeObject): boolean {
  if (pod.status?.phase === "Failed") return true;
  if (onlyReplaceFailedPods(job)) return false;
  return pod.metadata.deletionTimestamp !== undefined && pod.status?.phase !== "Succeeded";
}

/** Being deleted but not yet finished. */
export function isPodTerminating(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return pod.metadata.deletionTimestamp !== undefined && phase !== "Succeeded" &&
    phase !== "Failed";
}

/** Holds the job-tracking finalizer. */
export function hasTrackingFinalizer(pod: KubeObject): boolean {
  return pod.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER) ?? false;
}

/**
 * With `restartPolicy: OnFailure` failures are container restarts: the Job fails once the
 * active pods restarted `backoffLimit` times (any restart when the limit is 0).
 */
export function pastBackoffLimitOnFailure(job: KubeObject, active: readonly KubeObject[]): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== "OnFailure") return false;
  let restarts = 0;
  for (const pod of active) {
    for (const key of ["initContainerStatuses", "containerStatuses"]) {
      const statuses: unknown = pod.status?.[key];
      if (!Array.isArray(statuses)) continue;
      for (const s of statuses) {
        restarts += typeof s?.restartCount === "number" ? s.restartCount : 0;
      }
    }
  }
  const limit = job.spec?.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

/** Milliseconds until the active deadline passes (<= 0 once past); undefined without one. */
export function activeDeadlineRemainingMs(job: KubeObject, now: number): number | undefined {
  const seconds = job.spec?.activeDeadlineSeconds;
  const start = Date.parse(job.status?.startTime ?? "");
  if (typeof seconds !== "number" || Number.isNaN(start)) return undefined;
  return start + seconds * 1000 - now;
}

/** The delay after `failures` failures in a row: base × 2^(failures-1), capped. */
export function podFailureBackoffMs(failures: number, baseMs: number): number {
  if (failures <= 0) return 0;
  return Math.min(baseMs * 2 ** (failures - 1), MAX_POD_FAILURE_BACKOFF_MS);
}

/** When a finished pod finished (its latest container end, else its last transition). */
export function podFinishedAt(pod: KubeObject): number {
  let latest = 0;
  const statuses: unknown = pod.status?.containerStatuses;
  if (Array.isArray(statuses)) {
    for (const s of statuses) {
      const at = Date.parse(s?.state?.terminated?.finishedAt ?? "");
      if (!Number.isNaN(at)) latest = Math.max(latest, at);
    }
  }
  if (latest > 0) return latest;
  const conditions: unknown = pod.status?.conditions;
  if (Array.isArray(conditions)) {
    for (const c of conditions) {
      const at = Date.parse(c?.lastTransitionTime ?? "");
      if (!Number.isNaN(at)) latest = Math.max(latest, at);
    }
  }
  return latest || Date.parse(pod.metadata.creationTimestamp ?? "") || 0;
}

/** How many of the pods are Ready. */
export function countReady(pods: readonly KubeObject[]): number {
  return pods.filter(isPodReady).length;
}

/**
 * How many pods should run now (upstream's `wantActive`): parallelism, but no more than the
 * completions still missing; a work-queue Job (no completions) starts none once one succeeded.
 */
export function wantedActive(job: KubeObject, succeeded: number, active: number): number {
  const parallelism = job.spec?.parallelism ?? 1;
  const completions = job.spec?.completions;
  if (typeof completions !== "number") {
    return succeeded > 0 ? Math.min(active, parallelism) : parallelism;
  }
  return Math.max(0, Math.min(parallelism, completions - succeeded));
}

/** Whether the Job has met its success criteria with these counts. */
export function successCriteriaMet(job: KubeObject, succeeded: number, active: number): boolean {
  const completions = job.spec?.completions;
  if (typeof completions !== "number") return succeeded > 0 && active === 0;
  return succeeded >= completions;
}
