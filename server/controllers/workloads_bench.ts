/**
 * Figures for the workload controllers, in process over a real SQLite store (no HTTP, no
 * scheduler): how long a Deployment of N replicas takes to have every pod available when a
 * stand-in kubelet readies pods as they appear, how long a rolling update of all of them takes,
 * and the memory the caches hold meanwhile. This isolates the controllers; the end-to-end figure
 * (HTTPS, the server's scheduler, simulated nodes marking pods Running) is the Deployment row of
 * `deno task bench` (scripts/bench/cluster.ts).
 *
 * Run: `scripts/deno run -A server/controllers/workloads_bench.ts 1000`
 *
 * @module
 */
import { waitFor } from "../../tests/helpers/wait.ts";
import { openTestStores } from "../../tests/helpers/stores.ts";
import { silentLogger } from "../log.ts";
import { startWorkloadControllers } from "./workloads.ts";
import { runFakeKubelet } from "./_test_pods.ts";

/** Figures of one run. */
export interface WorkloadFigures {
  replicas: number;
  /** From creating the Deployment to every replica available. */
  createMs: number;
  /** Pods created and made available per second during that. */
  podsPerSecond: number;
  /** From changing the image to the rollout complete (maxSurge/maxUnavailable 25%). */
  rollingUpdateMs: number;
  /** Resident memory growth of this process from start to after the update. */
  rssGrowthMb: number;
}

/**
 * Creates and rolls a Deployment of `replicas` pods.
 * @param replicas Pods in the Deployment (1,000 is the figure).
 */
export async function benchWorkloads(replicas = 1000): Promise<WorkloadFigures> {
  await using test = await openTestStores(["bench"]);
  const { stores } = test;
  const rssBefore = Deno.memoryUsage().rss;
  const stop = new AbortController();
  const running = Promise.all([
    startWorkloadControllers(stores, { signal: stop.signal, logger: silentLogger }),
    runFakeKubelet(stores, stop.signal),
  ]);
  const deployments = stores.forKind("apps", "Deployment");
  const complete = () =>
    waitFor("rollout complete", async () => {
      const d = await deployments.get("bench", "web");
      const s = d.status ?? {};
      return s.observedGeneration === d.metadata.generation && s.updatedReplicas === replicas &&
        s.availableReplicas === replicas && s.replicas === replicas;
    }, 600_000);
  try {
    const created = performance.now();
    await deployments.create("bench", {
      metadata: { name: "web" },
      spec: {
        replicas,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: { containers: [{ name: "web", image: "nginx:1" }] },
        },
      },
    });
    await complete();
    const createMs = performance.now() - created;
    const updated = performance.now();
    await deployments.patch("bench", "web", "strategic", {
      spec: { template: { spec: { containers: [{ name: "web", image: "nginx:2" }] } } },
    });
    await complete();
    const rollingUpdateMs = performance.now() - updated;
    return {
      replicas,
      createMs: Math.round(createMs),
      podsPerSecond: Math.round(replicas / (createMs / 1000)),
      rollingUpdateMs: Math.round(rollingUpdateMs),
      rssGrowthMb: Math.round((Deno.memoryUsage().rss - rssBefore) / 1e5) / 10,
    };
  } finally {
    stop.abort();
    await running;
  }
}

if (import.meta.main) {
  console.log(JSON.stringify(await benchWorkloads(Number(Deno.args[0] ?? 1000))));
}
