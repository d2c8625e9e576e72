/**
 * batch/v1: Job and CronJob -- upstream's batch/v1 defaults, the selector a Job gets from its
 * uid, the checks of `pkg/apis/batch/validation`, what a Job update may not change, and
 * kubectl's columns.
 *
 * @module
 */
import { fieldErrors } from "../../../kube/errors.ts";
import type { FieldError, KubeObject } from "../../../kube/types.ts";
import {
  AGE_COLUMN,
  ageOf,
  asArray,
  column,
  isRecord,
  NAME_COLUMN,
  numberOr,
  shortAge,
  shortDuration,
  WORKLOAD_WIDE_COLUMNS,
  workloadWideCells,
} from "../printing.ts";
import type { ResourceStrategy } from "../types.ts";
import { cronScheduleError } from "./cron_schedule.ts";
import { goInvalid, goLabelSelector, goStringMap } from "./go_values.ts";
import {
  child,
  defaultPodTemplate,
  semanticEqual,
  validateLabelSelector,
  validateNonNegative,
  validatePodTemplate,
  validateTemplateRestartPolicy,
} from "./workloads.ts";

type Dict = Record<string, unknown>;

/** The label the generated selector matches: unique to one Job. */
export const CONTROLLER_UID_LABEL = "batch.kubernetes.io/controller-uid";

/** Labels a Job's pods get: the uid ones select them, the name ones are for people. */
const GENERATED_LABELS: [string, "uid" | "name"][] = [
  [CONTROLLER_UID_LABEL, "uid"],
  ["batch.kubernetes.io/job-name", "name"],
  ["controller-uid", "uid"],
  ["job-name", "name"],
];

const JOB_RESTART_POLICIES = ["OnFailure", "Never"];
const COMPLETION_MODES = ["NonIndexed", "Indexed"];
const POD_REPLACEMENT_POLICIES = ["Failed", "TerminatingOrFailed"];
const CONCURRENCY_POLICIES = ["Allow", "Forbid", "Replace"];

/** The cron job controller appends `-<11 chars>` to a name that must stay a 63-char label. */
const CRON_JOB_NAME_MAX = 52;

/** Template fields a suspended Job that never started may change (for queueing controllers). */
const MUTABLE_SCHEDULING_DIRECTIVES = [
  "nodeSelector",
  "affinity",
  "tolerations",
  "schedulingGates",
];

function specOf(obj: KubeObject): Dict {
  return isRecord(obj.spec) ? obj.spec : {};
}

function statusOf(obj: KubeObject): Dict {
  return isRecord(obj.status) ? obj.status : {};
}

// ---------------------------------------------------------------------------------------------
// Job

/** Upstream's `SetDefaults_Job` for a JobSpec. */
function defaultJobSpec(spec: Dict): void {
  // A non-parallel job may leave both unset; then it runs one pod to one completion.
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  // Per-index limits take over from the job-wide one, which then must not stop the job first.
  spec.backoffLimit ??= spec.backoffLimitPerIndex != null ? 2147483647 : 6;
  spec.completionMode ??= "NonIndexed";
  spec.suspend ??= false;
  const podFailurePolicy = isRecord(spec.podFailurePolicy) ? spec.podFailurePolicy : undefined;
  for (const rule of asArray(podFailurePolicy?.rules)) {
    if (!isRecord(rule)) continue;
    for (const pattern of asArray(rule.onPodConditions)) {
      if (isRecord(pattern)) pattern.status ??= "True";
    }
  }
  spec.podReplacementPolicy ??= podFailurePolicy ? "Failed" : "TerminatingOrFailed";
  defaultPodTemplate(spec);
}

/**
 * Unless the user manages the selector, a Job selects its pods by its own uid: a name would also
 * match the pods of an earlier Job of the same name.
 */
function generateSelector(job: KubeObject): void {
  const spec = child(job, "spec");
  if (spec.manualSelector === true) return;
  const meta = child(child(spec, "template"), "metadata");
  const labels = child(meta, "labels") as Record<string, string>;
  const values = { uid: job.metadata.uid ?? "", name: job.metadata.name ?? "" };
  // Labels the user set are kept; a conflict then fails validation, as upstream.
  for (const [key, source] of GENERATED_LABELS) labels[key] ??= values[source];
  const matchLabels = child(child(spec, "selector"), "matchLabels") as Record<string, string>;
  matchLabels[CONTROLLER_UID_LABEL] ??= values.uid;
}

/** What a Job and a CronJob's job template both check (upstream's `validateJobSpec`). */
function validateJobSpecFields(spec: Dict, path: string, selector: unknown): FieldError[] {
  const errors: FieldError[] = [];
  for (const key of ["parallelism", "completions", "activeDeadlineSeconds", "backoffLimit"]) {
    errors.push(...validateNonNegative(spec[key], `${path}.${key}`));
  }
  errors.push(
    ...validateNonNegative(spec.ttlSecondsAfterFinished, `${path}.ttlSecondsAfterFinished`),
  );
  const mode = spec.completionMode;
  if (mode !== undefined && mode !== null) {
    if (!COMPLETION_MODES.includes(String(mode))) {
      errors.push(fieldErrors.notSupported(`${path}.completionMode`, mode, COMPLETION_MODES));
    }
    if (mode === "Indexed" && (spec.completions === undefined || spec.completions === null)) {
      errors.push(fieldErrors.required(`${path}.completions`, "when completion mode is Indexed"));
    }
  }
  const replacement = spec.podReplacementPolicy;
  if (
    replacement !== undefined && replacement !== null &&
    !POD_REPLACEMENT_POLICIES.includes(String(replacement))
  ) {
    errors.push(
      fieldErrors.notSupported(
        `${path}.podReplacementPolicy`,
        replacement,
        POD_REPLACEMENT_POLICIES,
      ),
    );
  }
  errors.push(...validatePodTemplate(spec.template, `${path}.template`, selector));
  errors.push(
    ...validateTemplateRestartPolicy(spec.template, `${path}.template`, JOB_RESTART_POLICIES),
  );
  return errors;
}

function validateJob(job: KubeObject): FieldError[] {
  const spec = specOf(job);
  const errors = validateJobSpecFields(spec, "spec", spec.selector);
  if (spec.selector === undefined || spec.selector === null) {
    errors.push(fieldErrors.required("spec.selector"));
  } else {
    errors.push(...validateLabelSelector(spec.selector, "spec.selector"));
    const matchLabels = isRecord(spec.selector) ? spec.selector.matchLabels : undefined;
    const generated = isRecord(matchLabels) &&
      matchLabels[CONTROLLER_UID_LABEL] === job.metadata.uid;
    if (spec.manualSelector !== true && !generated) {
      errors.push(
        goInvalid(
          "spec.selector.matchLabels",
          goStringMap(matchLabels),
          "`selector` not auto-generated",
        ),
      );
    }
  }
  return errors;
}

/** The template with what a suspended, never-started Job may change taken from `template`. */
function templateAllowingSchedulingChanges(template: unknown, oldTemplate: unknown): unknown {
  if (!isRecord(template) || !isRecord(oldTemplate)) return oldTemplate;
  const merged: Dict = structuredClone(oldTemplate);
  const meta = isRecord(template.metadata) ? template.metadata : {};
  const mergedMeta = child(merged, "metadata");
  for (const key of ["labels", "annotations"]) mergedMeta[key] = meta[key];
  const spec = isRecord(template.spec) ? template.spec : {};
  const mergedSpec = child(merged, "spec");
  for (const key of MUTABLE_SCHEDULING_DIRECTIVES) mergedSpec[key] = spec[key];
  return merged;
}

function validateJobUpdate(job: KubeObject, old: KubeObject): FieldError[] {
  const spec = specOf(job);
  const oldSpec = specOf(old);
  const errors: FieldError[] = [];
  if (!semanticEqual(spec.selector, oldSpec.selector)) {
    errors.push(goInvalid("spec.selector", goLabelSelector(spec.selector), "field is immutable"));
  }
  // A suspended Job that never started may be placed elsewhere by a queueing controller.
  const schedulingMutable = oldSpec.suspend === true && !statusOf(old).startTime;
  const oldTemplate = schedulingMutable
    ? templateAllowingSchedulingChanges(spec.template, oldSpec.template)
    : oldSpec.template;
  if (!semanticEqual(spec.template, oldTemplate)) {
    errors.push(fieldErrors.immutable("spec.template", spec.template ?? null));
  }
  if (!semanticEqual(spec.completions, oldSpec.completions)) {
    // Indexed Jobs scale by changing completions and parallelism together.
    if (spec.completionMode !== "Indexed") {
      errors.push(fieldErrors.immutable("spec.completions", spec.completions ?? null));
    } else if (typeof spec.completions === "number" && spec.completions !== spec.parallelism) {
      errors.push(
        fieldErrors.invalid(
          "spec.completions",
          spec.completions,
          "can only be modified in tandem with spec.parallelism",
        ),
      );
    }
  }
  for (const key of ["completionMode", "podFailurePolicy", "backoffLimitPerIndex"]) {
    if (!semanticEqual(spec[key], oldSpec[key])) {
      errors.push(fieldErrors.immutable(`spec.${key}`, spec[key] ?? null));
    }
  }
  return errors;
}

function hasCondition(job: KubeObject, type: string): boolean {
  return asArray(statusOf(job).conditions).some((c) =>
    isRecord(c) && c.type === type && c.status === "True"
  );
}

/** kubectl's Status cell: the first of these that holds, else Running. */
function jobStatusCell(job: KubeObject): string {
  if (hasCondition(job, "Complete")) return "Complete";
  if (hasCondition(job, "Failed")) return "Failed";
  if (job.metadata.deletionTimestamp) return "Terminating";
  if (hasCondition(job, "Suspended")) return "Suspended";
  if (hasCondition(job, "FailureTarget")) return "FailureTarget";
  if (hasCondition(job, "SuccessCriteriaMet")) return "SuccessCriteriaMet";
  return "Running";
}

/** `succeeded/completions`; a work-queue Job (no completions) needs one success of N pods. */
function completionsCell(job: KubeObject): string {
  const spec = specOf(job);
  const succeeded = numberOr(statusOf(job).succeeded);
  if (typeof spec.completions === "number") return `${succeeded}/${spec.completions}`;
  const parallelism = numberOr(spec.parallelism);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

/** Start to completion, or to now while running; empty before the Job starts. */
function durationCell(job: KubeObject, now: number): string {
  const status = statusOf(job);
  if (typeof status.startTime !== "string") return "";
  const end = typeof status.completionTime === "string" ? Date.parse(status.completionTime) : now;
  return shortDuration(Math.max(0, Math.floor((end - Date.parse(status.startTime)) / 1000)));
}

/** The batch/v1 Job strategy. */
export const JOB: ResourceStrategy = {
  hasStatus: true,
  applyDefaults(job) {
    const spec = child(job, "spec");
    defaultJobSpec(spec);
    // Upstream copies the template's labels onto a Job that has none.
    const template = child(spec, "template");
    const labels = isRecord(template.metadata) ? template.metadata.labels : undefined;
    if (isRecord(labels) && Object.keys(job.metadata.labels ?? {}).length === 0) {
      job.metadata.labels = { ...labels } as Record<string, string>;
    }
  },
  prepareForCreate(job) {
    generateSelector(job);
    job.status = {};
  },
  validate: validateJob,
  validateUpdate: validateJobUpdate,
  columns: [
    NAME_COLUMN,
    column("Status", "string", "Status of the job."),
    column(
      "Completions",
      "string",
      "The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs.",
    ),
    column("Duration", "string", "Time required to complete the job."),
    AGE_COLUMN,
    ...WORKLOAD_WIDE_COLUMNS,
  ],
  row(job, now) {
    const spec = specOf(job);
    return [
      job.metadata.name,
      jobStatusCell(job),
      completionsCell(job),
      durationCell(job, now),
      ageOf(job, now),
      ...workloadWideCells(spec.template, spec.selector),
    ];
  },
  fieldSelectors: {
    "status.successful": (job) => String(numberOr(statusOf(job).succeeded)),
  },
};

// ---------------------------------------------------------------------------------------------
// CronJob

function validateTimeZone(timeZone: unknown): FieldError[] {
  if (timeZone === undefined || timeZone === null) return [];
  const path = "spec.timeZone";
  if (typeof timeZone !== "string" || timeZone === "") {
    return [fieldErrors.invalid(path, timeZone, "timeZone must be nil or non-empty string")];
  }
  const badPart = timeZone.split("/").some((part) =>
    part === "." || part === ".." || part.startsWith("-") || !/^[A-Za-z.\-_0-9+]{1,14}$/.test(part)
  );
  if (badPart) return [fieldErrors.invalid(path, timeZone, `unknown time zone ${timeZone}`)];
  if (timeZone.toLowerCase() === "local") {
    return [
      fieldErrors.invalid(
        path,
        timeZone,
        "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones",
      ),
    ];
  }
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
  } catch {
    return [fieldErrors.invalid(path, timeZone, `unknown time zone ${timeZone}`)];
  }
  return [];
}

function validateSchedule(schedule: unknown): FieldError[] {
  const path = "spec.schedule";
  if (typeof schedule !== "string" || schedule === "") return [fieldErrors.required(path)];
  const errors: FieldError[] = [];
  const error = cronScheduleError(schedule);
  if (error) errors.push(fieldErrors.invalid(path, schedule, error));
  // The time zone has its own field; a TZ prefix would silently disagree with it.
  if (schedule.includes("TZ")) {
    errors.push(
      fieldErrors.invalid(
        path,
        schedule,
        "cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
      ),
    );
  }
  return errors;
}

function validateCronJob(cronJob: KubeObject): FieldError[] {
  const spec = specOf(cronJob);
  const errors = validateSchedule(spec.schedule);
  errors.push(...validateNonNegative(spec.startingDeadlineSeconds, "spec.startingDeadlineSeconds"));
  errors.push(...validateTimeZone(spec.timeZone));
  const policy = spec.concurrencyPolicy;
  if (policy === undefined || policy === null || policy === "") {
    errors.push(fieldErrors.required("spec.concurrencyPolicy"));
  } else if (!CONCURRENCY_POLICIES.includes(String(policy))) {
    errors.push(fieldErrors.notSupported("spec.concurrencyPolicy", policy, CONCURRENCY_POLICIES));
  }
  const jobTemplate: Dict = isRecord(spec.jobTemplate) ? spec.jobTemplate : {};
  const jobSpec: Dict = isRecord(jobTemplate.spec) ? jobTemplate.spec : {};
  const path = "spec.jobTemplate.spec";
  errors.push(...validateJobSpecFields(jobSpec, path, undefined));
  // Each Job the cron job makes gets a selector from its own uid.
  if (jobSpec.selector !== undefined && jobSpec.selector !== null) {
    errors.push(
      goInvalid(
        `${path}.selector`,
        goLabelSelector(jobSpec.selector),
        "`selector` will be auto-generated",
      ),
    );
  }
  if (jobSpec.manualSelector === true) {
    errors.push(fieldErrors.notSupported(`${path}.manualSelector`, true, ["nil", "false"]));
  }
  for (const key of ["successfulJobsHistoryLimit", "failedJobsHistoryLimit"]) {
    errors.push(...validateNonNegative(spec[key], `spec.${key}`));
  }
  const name = cronJob.metadata.name ?? "";
  if (name.length > CRON_JOB_NAME_MAX) {
    errors.push(
      fieldErrors.invalid(
        "metadata.name",
        name,
        `must be no more than ${CRON_JOB_NAME_MAX} characters`,
      ),
    );
  }
  return errors;
}

/** Go's `printBoolPtr`. */
function boolCell(value: unknown): string {
  if (typeof value !== "boolean") return "<unset>";
  return value ? "True" : "False";
}

/** The batch/v1 CronJob strategy. */
export const CRON_JOB: ResourceStrategy = {
  hasStatus: true,
  applyDefaults(cronJob) {
    const spec = child(cronJob, "spec");
    if (!spec.concurrencyPolicy) spec.concurrencyPolicy = "Allow";
    spec.suspend ??= false;
    spec.successfulJobsHistoryLimit ??= 3;
    spec.failedJobsHistoryLimit ??= 1;
    // Upstream defaults only the pod template here; each Job gets Job defaults when created.
    defaultPodTemplate(child(child(spec, "jobTemplate"), "spec"));
  },
  prepareForCreate(cronJob) {
    cronJob.status = {};
  },
  validate: validateCronJob,
  columns: [
    NAME_COLUMN,
    column(
      "Schedule",
      "string",
      "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.",
    ),
    column(
      "Timezone",
      "string",
      "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.",
    ),
    column(
      "Suspend",
      "boolean",
      "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.",
    ),
    column("Active", "integer", "A list of pointers to currently running jobs."),
    column(
      "Last Schedule",
      "string",
      "Information when was the last time the job was successfully scheduled.",
    ),
    AGE_COLUMN,
    ...WORKLOAD_WIDE_COLUMNS,
  ],
  row(cronJob, now) {
    const spec = specOf(cronJob);
    const status = statusOf(cronJob);
    const jobTemplate: Dict = isRecord(spec.jobTemplate) ? spec.jobTemplate : {};
    const jobSpec: Dict = isRecord(jobTemplate.spec) ? jobTemplate.spec : {};
    return [
      cronJob.metadata.name,
      String(spec.schedule ?? ""),
      typeof spec.timeZone === "string" ? spec.timeZone : "<none>",
      boolCell(spec.suspend),
      asArray(status.active).length,
      typeof status.lastScheduleTime === "string"
        ? shortAge(status.lastScheduleTime, now)
        : "<none>",
      ageOf(cronJob, now),
      ...workloadWideCells(jobSpec.template, jobSpec.selector),
    ];
  },
};
