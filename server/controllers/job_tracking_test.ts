import { assertEquals } from "../../tests/helpers/assert.ts";
import type { KubeObject } from "../../kube/types.ts";
import {
  formatIndexes,
  isPodFailedForJob,
  parseIndexes,
  pastBackoffLimitOnFailure,
  podFailureBackoffMs,
  successCriteriaMet,
  wantedActive,
} from "./job_tracking.ts";

const job = (spec: Record<string, unknown>) => ({ metadata: { name: "j" }, spec }) as KubeObject;

Deno.test("job tracking: completed indexes as intervals", () => {
  assertEquals(formatIndexes([5, 1, 3, 4, 0]), "0-1,3-5");
  assertEquals(formatIndexes([]), undefined);
  assertEquals([...parseIndexes("0-1,3-5,7")].sort(), [0, 1, 3, 4, 5, 7]);
  assertEquals(parseIndexes(undefined).size, 0);
});

Deno.test("job tracking: how many pods should run", () => {
  assertEquals(wantedActive(job({ completions: 5, parallelism: 2 }), 0, 0), 2);
  assertEquals(wantedActive(job({ completions: 5, parallelism: 2 }), 4, 1), 1);
  assertEquals(wantedActive(job({ completions: 5, parallelism: 2 }), 5, 0), 0);
  // A work queue: no new pods once one succeeded.
  assertEquals(wantedActive(job({ parallelism: 3 }), 0, 0), 3);
  assertEquals(wantedActive(job({ parallelism: 3 }), 1, 2), 2);
  assertEquals(successCriteriaMet(job({ parallelism: 3 }), 1, 2), false);
  assertEquals(successCriteriaMet(job({ parallelism: 3 }), 1, 0), true);
  assertEquals(successCriteriaMet(job({ completions: 2 }), 2, 1), true);
});

Deno.test("job tracking: failures, restarts and back-off", () => {
  const deleting = {
    metadata: { name: "p", deletionTimestamp: "2024-01-01T00:00:00Z" },
    status: { phase: "Running" },
  } as KubeObject;
  assertEquals(isPodFailedForJob(deleting, job({})), true);
  assertEquals(isPodFailedForJob(deleting, job({ podReplacementPolicy: "Failed" })), false);
  const restarted = {
    metadata: { name: "p" },
    status: { containerStatuses: [{ restartCount: 2 }] },
  } as KubeObject;
  const onFailure = (backoffLimit: number) =>
    job({ backoffLimit, template: { spec: { restartPolicy: "OnFailure" } } });
  assertEquals(pastBackoffLimitOnFailure(onFailure(2), [restarted]), true);
  assertEquals(pastBackoffLimitOnFailure(onFailure(3), [restarted]), false);
  assertEquals(podFailureBackoffMs(0, 10_000), 0);
  assertEquals(podFailureBackoffMs(3, 10_000), 40_000);
  assertEquals(podFailureBackoffMs(20, 10_000), 600_000);
});
