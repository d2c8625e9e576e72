/**
 * Protobuf descriptors for batch/v1: Job, CronJob.
 *
 * Field numbers are those of the k8s.io/api and apimachinery `generated.proto` files as built into
 * kubectl 1.32; JSON names and flags follow the Go types' `json` tags (see `schema.ts`).
 *
 * @module
 */
import type { MessageTable } from "../schema.ts";

/** Batch/v1: Job, CronJob. */
export const BATCH: MessageTable = {
  "batch.Job": {
    1: ["metadata", "meta.ObjectMeta"],
    2: ["spec", "batch.JobSpec"],
    3: ["status", "batch.JobStatus"],
  },
  "batch.JobSpec": {
    1: ["parallelism", "int32", "ptr"],
    2: ["completions", "int32", "ptr"],
    3: ["activeDeadlineSeconds", "int64", "ptr"],
    11: ["podFailurePolicy", "batch.PodFailurePolicy", "ptr"],
    16: ["successPolicy", "batch.SuccessPolicy", "ptr"],
    7: ["backoffLimit", "int32", "ptr"],
    12: ["backoffLimitPerIndex", "int32", "ptr"],
    13: ["maxFailedIndexes", "int32", "ptr"],
    4: ["selector", "meta.LabelSelector", "ptr"],
    5: ["manualSelector", "bool", "ptr"],
    6: ["template", "core.PodTemplateSpec"],
    8: ["ttlSecondsAfterFinished", "int32", "ptr"],
    9: ["completionMode", "string", "ptr"],
    10: ["suspend", "bool", "ptr"],
    14: ["podReplacementPolicy", "string", "ptr"],
    15: ["managedBy", "string", "ptr"],
  },
  "batch.PodFailurePolicy": {
    1: ["rules", "batch.PodFailurePolicyRule", "rep"],
  },
  "batch.PodFailurePolicyRule": {
    1: ["action", "string", "keep"],
    2: ["onExitCodes", "batch.PodFailurePolicyOnExitCodesRequirement", "ptr"],
    3: ["onPodConditions", "batch.PodFailurePolicyOnPodConditionsPattern", "rep"],
  },
  "batch.PodFailurePolicyOnExitCodesRequirement": {
    1: ["containerName", "string", "ptr"],
    2: ["operator", "string", "keep"],
    3: ["values", "int32", "rep"],
  },
  "batch.PodFailurePolicyOnPodConditionsPattern": {
    1: ["type", "string", "keep"],
    2: ["status", "string", "keep"],
  },
  "batch.SuccessPolicy": {
    1: ["rules", "batch.SuccessPolicyRule", "rep"],
  },
  "batch.SuccessPolicyRule": {
    1: ["succeededIndexes", "string", "ptr"],
    2: ["succeededCount", "int32", "ptr"],
  },
  "batch.JobStatus": {
    1: ["conditions", "batch.JobCondition", "rep"],
    2: ["startTime", "time", "ptr"],
    3: ["completionTime", "time", "ptr"],
    4: ["active", "int32"],
    5: ["succeeded", "int32"],
    6: ["failed", "int32"],
    11: ["terminating", "int32", "ptr"],
    7: ["completedIndexes", "string"],
    10: ["failedIndexes", "string", "ptr"],
    8: ["uncountedTerminatedPods", "batch.UncountedTerminatedPods", "ptr"],
    9: ["ready", "int32", "ptr"],
  },
  "batch.JobCondition": {
    1: ["type", "string", "keep"],
    2: ["status", "string", "keep"],
    3: ["lastProbeTime", "time"],
    4: ["lastTransitionTime", "time"],
    5: ["reason", "string"],
    6: ["message", "string"],
  },
  "batch.UncountedTerminatedPods": {
    1: ["succeeded", "string", "rep"],
    2: ["failed", "string", "rep"],
  },
  "batch.CronJob": {
    1: ["metadata", "meta.ObjectMeta"],
    2: ["spec", "batch.CronJobSpec"],
    3: ["status", "batch.CronJobStatus"],
  },
  "batch.CronJobSpec": {
    1: ["schedule", "string", "keep"],
    8: ["timeZone", "string", "ptr"],
    2: ["startingDeadlineSeconds", "int64", "ptr"],
    3: ["concurrencyPolicy", "string"],
    4: ["suspend", "bool", "ptr"],
    5: ["jobTemplate", "batch.JobTemplateSpec"],
    6: ["successfulJobsHistoryLimit", "int32", "ptr"],
    7: ["failedJobsHistoryLimit", "int32", "ptr"],
  },
  "batch.JobTemplateSpec": {
    1: ["metadata", "meta.ObjectMeta"],
    2: ["spec", "batch.JobSpec"],
  },
  "batch.CronJobStatus": {
    1: ["active", "core.ObjectReference", "rep"],
    4: ["lastScheduleTime", "time", "ptr"],
    5: ["lastSuccessfulTime", "time", "ptr"],
  },
};
