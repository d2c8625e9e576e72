/**
 * Jobs and CronJobs as a user drives them with kubectl, on three simulated nodes: a Job of 5
 * completions runs at most 2 pods at once (checked from a watch) and completes; a Job whose pods
 * fail stops at its backoff limit; a CronJob scheduled every minute creates a Job that
 * completes; and `kubectl create job --from=cronjob/…` runs the CronJob's template by hand.
 * Deleting a Job removes its pods (their tracking finalizers are dropped).
 */
import type { KubeObject } from "../kube/types.ts";
import { watchStore } from "../server/apiserver/store_watch.ts";
import { assert, assertEquals } from "./helpers/assert.ts";
import { startTestCluster } from "./helpers/cluster.ts";
import { simulateNodes } from "./helpers/simulated_nodes.ts";
import { waitFor } from "./helpers/wait.ts";

function jobManifest(name: string, spec: Record<string, unknown>, annotations = {}): string {
  return JSON.stringify({
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name },
    spec: {
      ...spec,
      template: {
        metadata: { annotations },
        spec: {
          restartPolicy: "Never",
          containers: [{ name: "work", image: "busybox", command: ["true"] }],
        },
      },
    },
  });
}

Deno.test("jobs: parallel completions, backoff limit, cron schedules", async (t) => {
  await using cluster = await startTestCluster();
  const dataDir = await Deno.makeTempDir({ prefix: "k3ts-sim-" });
  const k = cluster.kubectlOk;
  const lines = (text: string) => text.trim().split("\n").filter(Boolean);
  try {
    await using _nodes = await simulateNodes(cluster, { nodes: 3, dataDir });
    await waitFor("three Ready nodes", async () => {
      const ready = await k([
        "get",
        "nodes",
        "-o",
        'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}',
      ]);
      return lines(ready).filter((s) => s === "True").length === 3;
    }, 30_000);

    await t.step("completions=5, parallelism=2 completes with at most 2 active", async () => {
      const stop = new AbortController();
      const activeNow = new Map<string, boolean>();
      let most = 0;
      const podStore = cluster.server.stores.forKind("", "Pod");
      const watching = (async () => {
        for await (
          const event of watchStore(podStore, cluster.server.backend, "default", {
            signal: stop.signal,
            labelSelector: "job-name=count",
          })
        ) {
          const pod = event.object as KubeObject;
          const phase = pod.status?.phase;
          const active = event.type !== "DELETED" && !pod.metadata.deletionTimestamp &&
            phase !== "Succeeded" && phase !== "Failed";
          activeNow.set(pod.metadata.uid!, active);
          most = Math.max(most, [...activeNow.values()].filter(Boolean).length);
        }
      })().catch(() => {});
      try {
        await k(["create", "-f", "-"], {
          stdin: jobManifest("count", { completions: 5, parallelism: 2 }),
        });
        await k(["wait", "--for=condition=complete", "job/count", "--timeout=120s"]);
      } finally {
        stop.abort();
        await watching;
      }
      assert(most <= 2, `${most} pods were active at once`);
      assert(most >= 1, "the watch saw the pods run");
      const status = JSON.parse(await k(["get", "job", "count", "-o", "jsonpath={.status}"]));
      assertEquals(status.succeeded, 5);
      assertEquals(status.failed ?? 0, 0);
      assertEquals(status.active ?? 0, 0);
      assert(typeof status.completionTime === "string", "completionTime is set");
      const types = status.conditions.map((c: { type: string }) => c.type).sort();
      assertEquals(types, ["Complete", "SuccessCriteriaMet"]);
      // Every pod was counted once and let go of.
      await waitFor("the tracking finalizers removed", async () => {
        const finalizers = await k([
          "get",
          "pods",
          "-l",
          "job-name=count",
          "-o",
          'jsonpath={range .items[*]}{.metadata.finalizers}{"\\n"}{end}',
        ]);
        return !finalizers.includes("job-tracking");
      }, 30_000);
      assertEquals(lines(await k(["get", "pods", "-l", "job-name=count", "-o", "name"])).length, 5);
      const events = await k([
        "get",
        "events",
        "--field-selector",
        "involvedObject.name=count",
        "-o",
        'jsonpath={range .items[*]}{.reason}{"\\n"}{end}',
      ]);
      assert(events.includes("SuccessfulCreate"), events);
      await waitFor("the Completed event", async () =>
        (await k([
          "get",
          "events",
          "--field-selector",
          "involvedObject.name=count,reason=Completed",
          "-o",
          "name",
        ])).trim() !== "", 30_000);
    });

    await t.step("deleting a Job removes its pods despite the tracking finalizer", async () => {
      await k(["delete", "job", "count"]);
      await waitFor(
        "the pods of the Job gone",
        async () =>
          lines(await k(["get", "pods", "-l", "job-name=count", "-o", "name"])).length === 0,
        60_000,
      );
    });

    await t.step("failing pods stop at backoffLimit 1", async () => {
      await k(["create", "-f", "-"], {
        stdin: jobManifest("flaky", { backoffLimit: 1 }, { "simulate.k3ts.io/exit-code": "1" }),
      });
      // The replacement waits out the 10 s pod failure back-off.
      await k(["wait", "--for=condition=failed", "job/flaky", "--timeout=120s"]);
      const reason = await k([
        "get",
        "job",
        "flaky",
        "-o",
        'jsonpath={.status.conditions[?(@.type=="Failed")].reason}',
      ]);
      assertEquals(reason, "BackoffLimitExceeded");
      assertEquals(await k(["get", "job", "flaky", "-o", "jsonpath={.status.failed}"]), "2");
    });

    await t.step("a CronJob every minute creates a Job that completes", async () => {
      await k(["create", "cronjob", "tick", "--image=busybox", "--schedule=* * * * *"]);
      const job = await waitFor("a Job from the CronJob", async () => {
        const names = lines(
          await k([
            "get",
            "jobs",
            "-o",
            'jsonpath={range .items[?(@.metadata.ownerReferences[0].kind=="CronJob")]}{.metadata.name}{"\\n"}{end}',
          ]),
        );
        return names[0];
      }, 90_000);
      assert(/^tick-\d+$/.test(job), job);
      const annotation = await k([
        "get",
        "job",
        job,
        "-o",
        "jsonpath={.metadata.annotations.batch\\.kubernetes\\.io/cronjob-scheduled-timestamp}",
      ]);
      assertEquals(Date.parse(annotation) / 60_000, Number(job.slice("tick-".length)));
      await k(["wait", "--for=condition=complete", `job/${job}`, "--timeout=60s"]);
      await waitFor(
        "lastSuccessfulTime on the CronJob",
        async () =>
          (await k(["get", "cronjob", "tick", "-o", "jsonpath={.status.lastSuccessfulTime}"]))
            .trim() !== "",
        30_000,
      );
      assert(
        (await k(["get", "cronjob", "tick", "-o", "jsonpath={.status.lastScheduleTime}"])) !== "",
      );
    });

    await t.step("kubectl create job --from=cronjob runs the template", async () => {
      await k(["create", "job", "by-hand", "--from=cronjob/tick"]);
      await k(["wait", "--for=condition=complete", "job/by-hand", "--timeout=60s"]);
      await k(["delete", "cronjob", "tick", "--wait=false"]);
    });
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
