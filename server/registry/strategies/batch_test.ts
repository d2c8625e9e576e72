import { assertEquals, assertMatch } from "../../../tests/helpers/assert.ts";
import type { FieldError, KubeObject } from "../../../kube/types.ts";
import { CRON_JOB, JOB } from "./batch.ts";
import { cronScheduleError } from "./cron_schedule.ts";

const NOW = Date.parse("2026-01-01T01:00:00Z");

function job(spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: "pi",
      namespace: "default",
      uid: "uid-1",
      creationTimestamp: "2026-01-01T00:00:00Z",
    },
    spec: {
      template: {
        spec: {
          containers: [{ name: "pi", image: "perl:5.34" }],
          restartPolicy: "Never",
        },
      },
      ...spec,
    },
  };
}

function createJob(obj: KubeObject): FieldError[] {
  JOB.applyDefaults!(obj);
  JOB.prepareForCreate!(obj);
  return JOB.validate!(obj);
}

function cronJob(spec: Record<string, unknown> = {}, name = "hello"): KubeObject {
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name, namespace: "default", creationTimestamp: "2026-01-01T00:00:00Z" },
    spec: {
      schedule: "*/5 * * * *",
      jobTemplate: {
        spec: {
          template: {
            spec: { containers: [{ name: "c", image: "busybox" }], restartPolicy: "OnFailure" },
          },
        },
      },
      ...spec,
    },
  };
}

function lines(errors: FieldError[]): string[] {
  return errors.map((e) => `${e.field}: ${e.message}`);
}

Deno.test("batch: a job gets upstream's defaults and a selector from its uid", () => {
  const j = job();
  j.status = { succeeded: 1 };
  assertEquals(createJob(j), []);
  assertEquals(j.spec.parallelism, 1);
  assertEquals(j.spec.completions, 1);
  assertEquals(j.spec.backoffLimit, 6);
  assertEquals(j.spec.completionMode, "NonIndexed");
  assertEquals(j.spec.suspend, false);
  assertEquals(j.spec.podReplacementPolicy, "TerminatingOrFailed");
  assertEquals(j.spec.selector, { matchLabels: { "batch.kubernetes.io/controller-uid": "uid-1" } });
  assertEquals(j.spec.template.metadata.labels, {
    "batch.kubernetes.io/controller-uid": "uid-1",
    "batch.kubernetes.io/job-name": "pi",
    "controller-uid": "uid-1",
    "job-name": "pi",
  });
  assertEquals(j.status, {});
});

Deno.test("batch: parallelism alone leaves completions unset", () => {
  const j = job({ parallelism: 3 });
  assertEquals(createJob(j), []);
  assertEquals(j.spec.completions, undefined);
  assertEquals(JOB.row!(j, NOW)[2], "0/1 of 3");
});

Deno.test("batch: a job's pods restart OnFailure or Never, and counts are non-negative", () => {
  const j = job({ backoffLimit: -1 });
  delete j.spec.template.spec.restartPolicy;
  assertEquals(lines(createJob(j)), [
    "spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0",
    'spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
  ]);
});

Deno.test("batch: a manual selector must match the template", () => {
  const j = job({ manualSelector: true, selector: { matchLabels: { app: "x" } } });
  j.spec.template.metadata = { labels: { app: "y" } };
  assertEquals(lines(createJob(j)), [
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"y"}: ' +
    "`selector` does not match template `labels`",
  ]);
});

Deno.test("batch: selector, template, completions and completion mode are immutable", () => {
  const old = job();
  createJob(old);
  const scaled = structuredClone(old);
  scaled.spec.parallelism = 4;
  assertEquals(JOB.validateUpdate!(scaled, old), []);
  const changed = structuredClone(old);
  changed.spec.completions = 3;
  changed.spec.completionMode = "Indexed";
  changed.spec.template.spec.containers[0].image = "perl:5.36";
  changed.spec.selector = { matchLabels: { a: "b" } };
  const errors = JOB.validateUpdate!(changed, old);
  assertEquals(errors.map((e) => e.field), [
    "spec.selector",
    "spec.template",
    "spec.completions",
    "spec.completionMode",
  ]);
  assertMatch(errors[0].message, /^Invalid value: v1\.LabelSelector\{.*\}: field is immutable$/);
  assertEquals(errors[3].message, 'Invalid value: "Indexed": field is immutable');
});

Deno.test("batch: a suspended job that never started may move its pods", () => {
  const old = job({ suspend: true });
  createJob(old);
  const placed = structuredClone(old);
  placed.spec.template.spec.nodeSelector = { zone: "a" };
  assertEquals(JOB.validateUpdate!(placed, old), []);
});

Deno.test("batch: job rows derive status, completions and duration", () => {
  const j = job();
  createJob(j);
  j.status = {
    succeeded: 1,
    startTime: "2026-01-01T00:00:00Z",
    completionTime: "2026-01-01T00:00:12Z",
    conditions: [{ type: "Complete", status: "True" }],
  };
  assertEquals(JOB.row!(j, NOW), [
    "pi",
    "Complete",
    "1/1",
    "12s",
    "60m",
    "pi",
    "perl:5.34",
    "batch.kubernetes.io/controller-uid=uid-1",
  ]);
  assertEquals(JOB.fieldSelectors!["status.successful"](j), "1");
  j.status = { conditions: [{ type: "Suspended", status: "True" }] };
  assertEquals(JOB.row!(j, NOW)[1], "Suspended");
});

Deno.test("batch: a cron job gets defaults and a defaulted pod template only", () => {
  const c = cronJob();
  CRON_JOB.applyDefaults!(c);
  CRON_JOB.prepareForCreate!(c);
  assertEquals(CRON_JOB.validate!(c), []);
  assertEquals(c.spec.concurrencyPolicy, "Allow");
  assertEquals(c.spec.suspend, false);
  assertEquals(c.spec.successfulJobsHistoryLimit, 3);
  assertEquals(c.spec.failedJobsHistoryLimit, 1);
  assertEquals(c.spec.jobTemplate.spec.template.spec.dnsPolicy, "ClusterFirst");
  assertEquals(c.spec.jobTemplate.spec.backoffLimit, undefined);
  assertEquals(CRON_JOB.row!(c, NOW), [
    "hello",
    "*/5 * * * *",
    "<none>",
    "False",
    0,
    "<none>",
    "60m",
    "c",
    "busybox",
    "<none>",
  ]);
});

Deno.test("batch: cron job schedule, policy, template and name are checked", () => {
  const c = cronJob({ schedule: "61 * * * *", concurrencyPolicy: "Sometimes" }, "x".repeat(53));
  CRON_JOB.applyDefaults!(c);
  c.spec.jobTemplate.spec.template.spec.restartPolicy = "Always";
  assertEquals(lines(CRON_JOB.validate!(c)), [
    'spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61',
    'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
    'spec.jobTemplate.spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
    `metadata.name: Invalid value: "${"x".repeat(53)}": must be no more than 52 characters`,
  ]);
  const unscheduled = cronJob({ schedule: undefined });
  CRON_JOB.applyDefaults!(unscheduled);
  assertEquals(lines(CRON_JOB.validate!(unscheduled)), [
    "spec.schedule: Required value",
  ]);
});

Deno.test("batch: cron schedules follow robfig/cron's standard parser", () => {
  for (
    const ok of [
      "0 0 * * *",
      "*/15 9-17 * JAN-DEC mon-fri",
      "5,10 * ? * *",
      "@daily",
      "@every 1h30m",
    ]
  ) {
    assertEquals(cronScheduleError(ok), undefined, ok);
  }
  assertEquals(cronScheduleError("x"), "expected exactly 5 fields, found 1: [x]");
  assertEquals(cronScheduleError("@often"), "unrecognized descriptor: @often");
  assertEquals(
    cronScheduleError("@every 5"),
    'failed to parse duration @every 5: time: missing unit in duration "5"',
  );
  assertEquals(
    cronScheduleError("a * * * *"),
    'failed to parse int from a: strconv.Atoi: parsing "a": invalid syntax',
  );
  assertEquals(
    cronScheduleError("5-1 * * * *"),
    "beginning of range (5) beyond end of range (1): 5-1",
  );
});
