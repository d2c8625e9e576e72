import { assertEquals } from "../../tests/helpers/assert.ts";
import { runLoop } from "../../tests/helpers/loops.ts";
import { openTestStores } from "../../tests/helpers/stores.ts";
import { waitFor } from "../../tests/helpers/wait.ts";
import type { KubeObject } from "../../kube/types.ts";
import { silentLogger } from "../log.ts";
import { parseCronSchedule } from "./cron_schedule_next.ts";
import {
  jobFromCronJob,
  mostRecentScheduleTime,
  nextScheduleDelayMs,
  SCHEDULED_TIMESTAMP_ANNOTATION,
  scheduledJobName,
  startCronJobController,
} from "./cronjob.ts";

const T0 = Date.UTC(2024, 0, 1, 10, 0);

function cronJob(spec: Record<string, unknown>, status: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: {
      name: "tick",
      namespace: "ns",
      uid: "u1",
      creationTimestamp: new Date(T0).toISOString(),
    },
    spec: {
      schedule: "*/5 * * * *",
      jobTemplate: {
        metadata: { labels: { app: "tick" } },
        spec: {
          template: {
            spec: {
              restartPolicy: "OnFailure",
              containers: [{ name: "c", image: "busybox" }],
            },
          },
        },
      },
      ...spec,
    },
    status,
  };
}

Deno.test("cronjob: the most recent unmet schedule time", () => {
  const every5 = parseCronSchedule("*/5 * * * *");
  const cj = cronJob({});
  assertEquals(mostRecentScheduleTime(cj, every5, T0 + 4 * 60_000, true).mostRecent, undefined);
  const missed = mostRecentScheduleTime(cj, every5, T0 + 17 * 60_000, true);
  assertEquals(missed.mostRecent, T0 + 15 * 60_000);
  assertEquals(missed.missed, 3);
  // Already run at 10:15: nothing is due until 10:20.
  const ran = cronJob({}, { lastScheduleTime: new Date(T0 + 15 * 60_000).toISOString() });
  assertEquals(mostRecentScheduleTime(ran, every5, T0 + 17 * 60_000, true).mostRecent, undefined);
  assertEquals(nextScheduleDelayMs(ran, every5, T0 + 17 * 60_000), 3 * 60_000 + 100);
  // A starting deadline of 60 s only looks back one minute.
  const late = cronJob({ startingDeadlineSeconds: 60 });
  assertEquals(mostRecentScheduleTime(late, every5, T0 + 17 * 60_000, true).mostRecent, undefined);
  assertEquals(
    mostRecentScheduleTime(late, every5, T0 + 15 * 60_000 + 30_000, true).mostRecent,
    T0 + 15 * 60_000,
  );
});

Deno.test("cronjob: the Job for a scheduled time", () => {
  const job = jobFromCronJob(cronJob({}), T0 + 5 * 60_000);
  assertEquals(job.metadata.name, `tick-${T0 / 60_000 + 5}`);
  assertEquals(job.metadata.name, scheduledJobName(cronJob({}), T0 + 5 * 60_000));
  assertEquals(job.metadata.annotations?.[SCHEDULED_TIMESTAMP_ANNOTATION], "2024-01-01T10:05:00Z");
  assertEquals(job.metadata.labels, { app: "tick" });
  assertEquals(job.metadata.ownerReferences?.[0].kind, "CronJob");
  assertEquals(job.metadata.ownerReferences?.[0].controller, true);
  const zoned = jobFromCronJob(cronJob({ timeZone: "Asia/Tokyo" }), T0);
  assertEquals(
    zoned.metadata.annotations?.[SCHEDULED_TIMESTAMP_ANNOTATION],
    "2024-01-01T19:00:00+09:00",
  );
});

Deno.test("cronjob: creates the due Job once, and Forbid waits for it", async () => {
  await using test = await openTestStores(["ns"]);
  const { stores } = test;
  const { object: created } = await stores.forKind("batch", "CronJob").create("ns", {
    ...cronJob({ concurrencyPolicy: "Forbid" }),
    metadata: { name: "tick" },
    status: undefined,
  } as KubeObject);
  const createdAt = Date.parse(created.metadata.creationTimestamp!);
  const firstDue = Math.floor(createdAt / 300_000) * 300_000 + 300_000;
  let clock = firstDue + 1000;
  await using _loop = runLoop((signal) =>
    startCronJobController(stores, { signal, logger: silentLogger, now: () => clock })
  );
  const jobs = stores.forKind("batch", "Job");
  const listJobs = async () => (await jobs.list("ns")).items.map((j) => j.metadata.name).sort();
  await waitFor("the first Job", async () => (await listJobs()).length === 1);
  assertEquals(await listJobs(), [scheduledJobName(created, firstDue)]);
  const status = await waitFor("status.active", async () => {
    const cj = await stores.forKind("batch", "CronJob").get("ns", "tick");
    return cj.status?.active?.length === 1 && cj.status;
  });
  assertEquals(Date.parse(status.lastScheduleTime), firstDue);
  // The next time comes while the first Job still runs: Forbid skips it.
  clock = firstDue + 300_000 + 1000;
  await stores.forKind("batch", "CronJob").updateWith("ns", "tick", (cj) => {
    cj.metadata.annotations = { poke: "1" };
    return cj;
  });
  await waitFor(
    "JobAlreadyActive",
    async () =>
      (await stores.forKind("", "Event").list("ns")).items.some((e) =>
        e.reason === "JobAlreadyActive"
      ),
  );
  assertEquals((await listJobs()).length, 1);
});
