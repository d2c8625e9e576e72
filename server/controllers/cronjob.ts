/**
 * The CronJob controller (upstream's v2): at each time the schedule names, creates a Job from
 * the template named `<cronjob>-<scheduled minutes since the epoch>` -- the name is the lock that
 * keeps one scheduled time from running twice -- honouring `startingDeadlineSeconds`,
 * `concurrencyPolicy` (Allow, Forbid, Replace) and `suspend`; keeps `status.active`,
 * `lastScheduleTime` and `lastSuccessfulTime`; and deletes finished Jobs beyond the history
 * limits. Each CronJob waits on one timer to its next scheduled time; nothing polls.
 *
 * @module
 */
import { clone, deepEqual } from "../../kube/deep_equal.ts";
import type { KubeObject, OwnerReference } from "../../kube/types.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import { timestamp } from "../apiserver/object_meta.ts";
import { errorMessage, isNamespaceTerminating } from "./api_errors.ts";
import { isConflict, isNotFound } from "../../kube/errors.ts";
import {
  CONTROLLER_UID_INDEX,
  controllerRefOf,
  indexByController,
  newControllerRef,
  resolveControllerRef,
} from "./controller_ref.ts";
import { type CronSchedule, formatInZone, parseCronSchedule } from "./cron_schedule_next.ts";
import { EventRecorder } from "./event_recorder.ts";
import { finishedCondition, trueCondition } from "./job_tracking.ts";
import { CONTROLLER_FIELD_MANAGER } from "./replicaset.ts";
import {
  type CacheEvent,
  type ControllerOptions,
  objectKey,
  splitKey,
} from "../../kube/informers/shared_informers.ts";
import { inProcessInformers } from "../apiserver/in_process_list_watch.ts";
import { controllerRunOptions, WorkQueue } from "../../kube/informers/workqueue.ts";

const CRON_JOB_TYPE = { apiVersion: "batch/v1", kind: "CronJob" };

/** The annotation a scheduled Job carries: its scheduled time, RFC 3339 in the CronJob's zone. */
export const SCHEDULED_TIMESTAMP_ANNOTATION = "batch.kubernetes.io/cronjob-scheduled-timestamp";

/** Looked at this long after the scheduled time, so the timer never fires a hair early. */
const NEXT_SCHEDULE_DELTA_MS = 100;

/** More missed times than this only gets a warning (upstream's TooManyMissedTimes). */
const TOO_MANY_MISSED = 100;

/** Options of {@link startCronJobController}. */
export interface CronJobControllerOptions extends ControllerOptions {
  /** Milliseconds since the epoch (tests may fix it). */
  now?: () => number;
}

/** The name of the Job for a scheduled time: `<cronjob>-<minutes since the epoch>`. */
export function scheduledJobName(cronJob: KubeObject, scheduledAt: number): string {
  return `${cronJob.metadata.name}-${Math.floor(scheduledAt / 60_000)}`;
}

/**
 * The latest scheduled time not after `now` that has not run yet (upstream's
 * `mostRecentScheduleTime`), counting from the last scheduled time (or creation) and, when
 * `withDeadline`, no earlier than `startingDeadlineSeconds` ago. `earliest` is where the count
 * started; `missed` how many times were passed over (capped past {@link TOO_MANY_MISSED}).
 */
export function mostRecentScheduleTime(
  cronJob: KubeObject,
  schedule: CronSchedule,
  now: number,
  withDeadline: boolean,
): { earliest: number; mostRecent?: number; missed: number } {
  let earliest = Date.parse(cronJob.status?.lastScheduleTime ?? "");
  if (Number.isNaN(earliest)) earliest = Date.parse(cronJob.metadata.creationTimestamp ?? "");
  if (Number.isNaN(earliest)) earliest = now;
  const deadline = cronJob.spec?.startingDeadlineSeconds;
  if (withDeadline && typeof deadline === "number") {
    earliest = Math.max(earliest, now - deadline * 1000);
  }
  let mostRecent: number | undefined;
  let missed = 0;
  for (let t = schedule.next(earliest); t !== undefined && t <= now; t = schedule.next(t)) {
    mostRecent = t;
    if (++missed > TOO_MANY_MISSED) {
      // Jump to the last one before now without counting further.
      let last = t;
      for (let u = schedule.next(last); u !== undefined && u <= now; u = schedule.next(u)) {
        last = u;
      }
      mostRecent = last;
      break;
    }
  }
  return { earliest, mostRecent, missed };
}

/** How long until the CronJob should be looked at again: its next scheduled time. */
export function nextScheduleDelayMs(
  cronJob: KubeObject,
  schedule: CronSchedule,
  now: number,
): number | undefined {
  const { earliest, mostRecent } = mostRecentScheduleTime(cronJob, schedule, now, false);
  const next = schedule.next(mostRecent ?? earliest);
  if (next === undefined) return undefined;
  return next + NEXT_SCHEDULE_DELTA_MS - now;
}

/** The Job a CronJob creates for a scheduled time. */
export function jobFromCronJob(cronJob: KubeObject, scheduledAt: number): KubeObject {
  const template = cronJob.spec?.jobTemplate ?? {};
  const annotations: Record<string, string> = clone(template.metadata?.annotations ?? {});
  annotations[SCHEDULED_TIMESTAMP_ANNOTATION] = formatInZone(scheduledAt, cronJob.spec?.timeZone);
  const metadata: KubeObject["metadata"] = {
    name: scheduledJobName(cronJob, scheduledAt),
    namespace: cronJob.metadata.namespace,
    annotations,
    ownerReferences: [newControllerRef(cronJob, CRON_JOB_TYPE)],
  };
  if (template.metadata?.labels) metadata.labels = clone(template.metadata.labels);
  return { apiVersion: "batch/v1", kind: "Job", metadata, spec: clone(template.spec ?? {}) };
}

function jobRef(job: KubeObject): Record<string, string> {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    name: job.metadata.name!,
    namespace: job.metadata.namespace!,
    uid: job.metadata.uid!,
    resourceVersion: job.metadata.resourceVersion!,
  };
}

/** Finished Jobs by start time, oldest first (name breaks ties), as upstream's byJobStartTime. */
function oldestFirst(a: KubeObject, b: KubeObject): number {
  const start = (j: KubeObject) => Date.parse(j.status?.startTime ?? "");
  const [sa, sb] = [start(a), start(b)];
  if (Number.isNaN(sa) !== Number.isNaN(sb)) return Number.isNaN(sa) ? 1 : -1;
  if (sa !== sb && !Number.isNaN(sa)) return sa - sb;
  return a.metadata.name! < b.metadata.name! ? -1 : 1;
}

/** Runs the CronJob controller until the signal aborts. */
export async function startCronJobController(
  stores: StoreSet,
  options: CronJobControllerOptions,
): Promise<void> {
  const { signal, logger } = options;
  const now = options.now ?? Date.now;
  const informers = options.informers ??
    inProcessInformers(stores, { signal, logger });
  const cronJobs = informers.forKind("batch", "CronJob");
  const jobs = informers.forKind("batch", "Job");
  indexByController(jobs);
  const jobStore = stores.forKind("batch", "Job");
  const cronJobStore = stores.forKind("batch", "CronJob");
  const queue = new WorkQueue();
  /** The resourceVersion of each CronJob's last status write: an older cached copy is stale. */
  const written = new Map<string, number>();
  const events = new EventRecorder(stores.forKind("", "Event"), {
    component: "cronjob-controller",
    logger,
  });

  cronJobs.subscribe(({ type, object }: CacheEvent) => {
    if (type === "DELETED") written.delete(objectKey(object));
    queue.add(objectKey(object));
  });
  const enqueueOwner = (job: KubeObject) => {
    const ref = controllerRefOf(job);
    const owner = resolveControllerRef(cronJobs, CRON_JOB_TYPE, job.metadata.namespace, ref);
    if (owner) queue.add(objectKey(owner));
  };
  jobs.subscribe(({ object, old }: CacheEvent) => {
    enqueueOwner(object);
    if (old && controllerRefOf(old)?.uid !== controllerRefOf(object)?.uid) enqueueOwner(old);
  });

  const deleteJob = async (cronJob: KubeObject, job: KubeObject) => {
    try {
      await jobStore.delete(job.metadata.namespace, job.metadata.name!, {
        propagationPolicy: "Background",
        preconditions: { uid: job.metadata.uid },
      });
      events.normal(cronJob, "SuccessfulDelete", `Deleted job ${job.metadata.name}`);
    } catch (error) {
      if (isNotFound(error)) return;
      events.warning(cronJob, "FailedDelete", `Deleted job: ${errorMessage(error)}`);
      throw error;
    }
  };

  const sync = async (key: string) => {
    const { namespace, name } = splitKey(key);
    const cronJob = cronJobs.get(namespace, name);
    if (!cronJob) return;
    // Our own last status write has not reached the cache yet: its event brings it back.
    if (Number(cronJob.metadata.resourceVersion) < (written.get(key) ?? 0)) return;
    const at = now();
    const owned = jobs.byIndex(CONTROLLER_UID_INDEX, cronJob.metadata.uid!);
    const status: Record<string, unknown> = clone(cronJob.status ?? {});
    let active: Record<string, string>[] = [...(status.active as Record<string, string>[] ?? [])];
    const inActive = (uid: string | undefined) => active.some((r) => r.uid === uid);
    const ownedUids = new Set(owned.map((j) => j.metadata.uid));

    for (const job of owned) {
      const finished = finishedCondition(job);
      if (!inActive(job.metadata.uid) && !finished) {
        events.warning(
          cronJob,
          "UnexpectedJob",
          `Saw a job that the controller did not create or forgot: ${job.metadata.name}`,
        );
      } else if (inActive(job.metadata.uid) && finished) {
        active = active.filter((r) => r.uid !== job.metadata.uid);
        events.normal(
          cronJob,
          "SawCompletedJob",
          `Saw completed job: ${job.metadata.name}, condition: ${finished.type}`,
        );
      }
      if (trueCondition(job, "Complete") && job.status?.completionTime) {
        const last = Date.parse(status.lastSuccessfulTime as string ?? "");
        if (Number.isNaN(last) || Date.parse(job.status.completionTime) > last) {
          status.lastSuccessfulTime = job.status.completionTime;
        }
      }
    }
    // Jobs in the active list that are gone (deleted by someone else).
    for (const ref of active.filter((r) => !ownedUids.has(r.uid))) {
      const fresh = await jobStore.find(ref.namespace ?? namespace, ref.name);
      if (fresh?.metadata.uid === ref.uid) continue;
      events.normal(cronJob, "MissingJob", `Active job went missing: ${ref.name}`);
      active = active.filter((r) => r.uid !== ref.uid);
    }
    status.active = active;

    let requeueMs: number | undefined;
    let failure: unknown;
    try {
      requeueMs = await schedule(cronJob, status, at);
    } catch (error) {
      failure = error;
    }
    await cleanupFinished(cronJob, owned, status);

    if ((status.active as unknown[]).length === 0) delete status.active;
    if (!deepEqual(status, cronJob.status ?? {})) {
      try {
        const { object } = await cronJobStore.update(namespace, name, { ...cronJob, status }, {
          subresource: "status",
          fieldManager: CONTROLLER_FIELD_MANAGER,
        });
        written.set(key, Number(object.metadata.resourceVersion));
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    if (failure && !isNamespaceTerminating(failure)) throw failure;
    if (requeueMs !== undefined) queue.addAfter(key, Math.max(requeueMs, 0));
  };

  /** Starts the Job due now, if any; returns the delay to the next scheduled time. */
  const schedule = async (
    cronJob: KubeObject,
    status: Record<string, unknown>,
    at: number,
  ): Promise<number | undefined> => {
    if (cronJob.metadata.deletionTimestamp || cronJob.spec?.suspend === true) return undefined;
    let parsed: CronSchedule;
    try {
      parsed = parseCronSchedule(String(cronJob.spec?.schedule ?? ""), cronJob.spec?.timeZone);
    } catch (error) {
      events.warning(
        cronJob,
        "UnparseableSchedule",
        `unparseable schedule: ${errorMessage(error)}`,
      );
      return undefined;
    }
    const view = { ...cronJob, status };
    const nextDelay = () => nextScheduleDelayMs(view, parsed, at);
    const { mostRecent, missed } = mostRecentScheduleTime(view, parsed, at, true);
    if (mostRecent === undefined) return nextDelay();
    if (missed > TOO_MANY_MISSED) {
      events.warning(
        cronJob,
        "TooManyMissedTimes",
        "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew",
      );
    }
    const deadline = cronJob.spec?.startingDeadlineSeconds;
    if (typeof deadline === "number" && mostRecent + deadline * 1000 < at) {
      events.warning(
        cronJob,
        "MissSchedule",
        `Missed scheduled time to start a job: ${new Date(mostRecent).toUTCString()}`,
      );
      return nextDelay();
    }
    const jobName = scheduledJobName(cronJob, mostRecent);
    const active = status.active as Record<string, string>[];
    if (
      active.some((r) => r.name === jobName) ||
      Date.parse(status.lastScheduleTime as string ?? "") === mostRecent
    ) return nextDelay();
    const policy = cronJob.spec?.concurrencyPolicy ?? "Allow";
    if (policy === "Forbid" && active.length > 0) {
      events.normal(
        cronJob,
        "JobAlreadyActive",
        "Not starting job because prior execution is running and concurrency policy is Forbid",
      );
      return nextDelay();
    }
    if (policy === "Replace") {
      for (const ref of [...active]) {
        const job = jobs.get(ref.namespace ?? cronJob.metadata.namespace, ref.name);
        if (job && job.metadata.uid === ref.uid) await deleteJob(cronJob, job);
        status.active = (status.active as Record<string, string>[]).filter((r) =>
          r.uid !== ref.uid
        );
      }
    }
    let created: KubeObject;
    try {
      ({ object: created } = await jobStore.create(
        cronJob.metadata.namespace,
        jobFromCronJob(cronJob, mostRecent),
        { fieldManager: CONTROLLER_FIELD_MANAGER },
      ));
      events.normal(cronJob, "SuccessfulCreate", `Created job ${created.metadata.name}`);
    } catch (error) {
      if (isNamespaceTerminating(error)) throw error;
      if (!isConflict(error)) {
        events.warning(cronJob, "FailedCreate", `Error creating job: ${errorMessage(error)}`);
        throw error;
      }
      // Created before (the name is the lock): take it if it is ours.
      const existing = await jobStore.find(cronJob.metadata.namespace, jobName);
      const ref: OwnerReference | undefined = existing ? controllerRefOf(existing) : undefined;
      if (!existing || ref?.uid !== cronJob.metadata.uid) throw error;
      created = existing;
    }
    const list = status.active as Record<string, string>[];
    if (!list.some((r) => r.uid === created.metadata.uid)) list.push(jobRef(created));
    status.lastScheduleTime = timestamp(mostRecent);
    return nextDelay();
  };

  /** Deletes the oldest finished Jobs beyond the history limits. */
  const cleanupFinished = async (
    cronJob: KubeObject,
    owned: readonly KubeObject[],
    status: Record<string, unknown>,
  ) => {
    const limits: [string, number | undefined][] = [
      ["Complete", cronJob.spec?.successfulJobsHistoryLimit],
      ["Failed", cronJob.spec?.failedJobsHistoryLimit],
    ];
    for (const [type, limit] of limits) {
      if (typeof limit !== "number") continue;
      const finished = owned.filter((j) =>
        !j.metadata.deletionTimestamp && finishedCondition(j)?.type === type
      ).sort(oldestFirst);
      for (const job of finished.slice(0, Math.max(0, finished.length - limit))) {
        try {
          await deleteJob(cronJob, job);
        } catch (error) {
          logger.debug("Old job not deleted", { job: objectKey(job), error: String(error) });
        }
        status.active = (status.active as Record<string, string>[]).filter((r) =>
          r.uid !== job.metadata.uid
        );
      }
    }
  };

  await queue.run(
    sync,
    controllerRunOptions("cronjob", options, informers.synced(cronJobs, jobs)),
  );
  if (!options.informers) await informers.stopped();
}
