/**
 * Scheduler benchmark: 1,000 nodes (4 cpu, 16Gi, 110 pods each) and 10,000 pending pods
 * (100m / 128Mi, 100 ReplicaSet-like owners) in an in-process store set over a real SQLite
 * datastore; then the scheduler starts and the clock runs until every pod's binding is stored.
 * The time includes the informers' initial lists, every binding and every `Scheduled` Event.
 *
 * Run: `scripts/deno run -A scripts/bench/scheduler.ts`
 *
 * @module
 */
import type { KubeObject } from "../../kube/types.ts";
import { openTestStores } from "../../tests/helpers/stores.ts";
import { silentLogger } from "../../server/log.ts";
import { startScheduler } from "../../server/scheduler/mod.ts";

const OWNERS = 100;
const NAMESPACE = "bench";
/** Creations in flight while filling the store (group commit batches them). */
const FILL_CONCURRENCY = 256;

function node(i: number): KubeObject {
  const name = `node-${String(i).padStart(4, "0")}`;
  const resources = { cpu: "4", memory: "16Gi", pods: "110" };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { "kubernetes.io/hostname": name } },
    spec: {},
    status: {
      capacity: resources,
      allocatable: resources,
      conditions: [{ type: "Ready", status: "True", reason: "KubeletReady" }],
    },
  };
}

function pod(i: number): KubeObject {
  const owner = i % OWNERS;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `pod-${i}`,
      namespace: NAMESPACE,
      labels: { app: `app-${owner}` },
      ownerReferences: [{
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        name: `app-${owner}`,
        uid: `00000000-0000-4000-8000-${String(owner).padStart(12, "0")}`,
        controller: true,
      }],
    },
    spec: {
      containers: [{
        name: "app",
        image: "registry.k8s.io/pause:3.10",
        resources: { requests: { cpu: "100m", memory: "128Mi" } },
      }],
    },
  };
}

/** User+system CPU seconds this process has used (from /proc; clock ticks are 100 Hz). */
function cpuSeconds(): number {
  const stat = Deno.readTextFileSync("/proc/self/stat");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function fill(count: number, create: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: FILL_CONCURRENCY }, async () => {
    for (let i = next++; i < count; i = next++) await create(i);
  }));
}

/** Sizes of {@link benchScheduler}. */
export interface SchedulerBenchSizes {
  /** Default 1,000. */
  nodes?: number;
  /** Default 10,000. */
  pods?: number;
}

/**
 * Runs the benchmark once.
 * @param sizes smaller sizes for a quick look; the defaults are the figures.
 * @returns figures keyed by name with the unit in the name: `scheduler_pods_per_s`,
 * `scheduler_schedule_all_ms`, the CPU used meanwhile (`scheduler_cpu_s`,
 * `scheduler_pods_per_cpu_s`) and the spread (`scheduler_pods_per_node_min` / `_max`).
 */
export async function benchScheduler(
  sizes: SchedulerBenchSizes = {},
): Promise<Record<string, number>> {
  const NODES = sizes.nodes ?? 1_000;
  const PODS = sizes.pods ?? 10_000;
  await using test = await openTestStores([NAMESPACE]);
  const stores = test.stores;
  const nodes = stores.forKind("", "Node");
  const pods = stores.forKind("", "Pod");
  await fill(NODES, (i) => nodes.create(undefined, node(i)));
  await fill(PODS, (i) => pods.create(NAMESPACE, pod(i)));

  const stop = new AbortController();
  let bound = 0;
  let allBound!: () => void;
  const done = new Promise<void>((resolve) => allBound = resolve);
  const started = performance.now();
  const cpuBefore = cpuSeconds();
  const running = startScheduler(stores, {
    signal: stop.signal,
    logger: silentLogger,
    onBound: () => {
      if (++bound === PODS) allBound();
    },
  });
  await done;
  const elapsedMs = performance.now() - started;
  const cpuUsed = cpuSeconds() - cpuBefore;
  stop.abort();
  await running;

  const perNode = new Map<string, number>();
  for (const item of (await pods.list(NAMESPACE)).items) {
    const name = item.spec?.nodeName;
    if (!name) throw new Error(`pod ${item.metadata.name} was not bound`);
    perNode.set(name, (perNode.get(name) ?? 0) + 1);
  }
  const counts = [...perNode.values()];
  return {
    scheduler_pods_per_s: PODS / (elapsedMs / 1000),
    scheduler_schedule_all_ms: elapsedMs,
    // CPU the whole process (store, watch, scheduler) spent meanwhile: on a shared machine
    // pods per CPU second is the steadier figure.
    scheduler_cpu_s: cpuUsed,
    scheduler_pods_per_cpu_s: PODS / cpuUsed,
    scheduler_pods_per_node_min: perNode.size < NODES ? 0 : Math.min(...counts),
    scheduler_pods_per_node_max: Math.max(...counts),
  };
}

if (import.meta.main) {
  const [nodes, pods] = Deno.args.map(Number);
  const figures = await benchScheduler({ nodes: nodes || undefined, pods: pods || undefined });
  for (const [name, value] of Object.entries(figures)) {
    console.log(`${name.padEnd(40)} ${value.toFixed(1).padStart(12)}`);
  }
}
