/**
 * The control-loop figures on one simulated cluster: a `k3ts server` child process and a
 * `k3ts simulate` child process whose kwok-like nodes join through the supervisor (node
 * password, kubelet certificate), heartbeat every 10 s and run the pods bound to them. Each is
 * its own process, as a real cluster's nodes are, so neither's work lands on the other's
 * JavaScript thread.
 *
 * In order, on the same cluster:
 * 1. join: from spawning the simulator until every node is Ready on the server;
 * 2. API latency while the nodes heartbeat: an open-loop stream of typical client requests;
 * 3. a Deployment of 1,000 replicas, from create to `availableReplicas` 1,000 (the server's own
 *    scheduler binds the pods, the simulated nodes mark them Running and Ready);
 * 4. the same Deployment scaled to 10,000 pods, the server's resident memory once at rest, then
 *    the latency stream again.
 *
 * Run alone: `scripts/deno run -A scripts/bench/cluster.ts [scale]` (scale 0.1 = 100 nodes,
 * 1,000 pods).
 *
 * @module
 */
import type http2 from "node:http2";
import { readKubeconfig } from "../../tests/helpers/api_client.ts";
import { freePort } from "../../tests/helpers/cluster.ts";
import { CLI } from "../../tests/helpers/server_process.ts";
import { connectHttp2, http2Request } from "./http2.ts";
import {
  cpuSeconds,
  mainThreadCpuSeconds,
  peakRssMb,
  percentile,
  row,
  rssMb,
  type ServerProcess,
  spawnServer,
  stopProcess,
  verdict,
} from "./processes.ts";

/** Sizes of {@link benchCluster}; the defaults are the figures. */
export interface ClusterBenchSizes {
  /** Simulated nodes (1,000). */
  nodes: number;
  /** Replicas of the measured Deployment (1,000). */
  replicas: number;
  /** Pods the Deployment is scaled to before memory is read (10,000). */
  pods: number;
  /** How long each latency stream runs (20 s). */
  latencySeconds: number;
  /** Requests per second of the latency stream (50). */
  requestsPerSecond: number;
}

/** The sizes, scaled (e.g. 0.1 while iterating). */
export function clusterSizes(scale = 1): ClusterBenchSizes {
  return {
    nodes: Math.max(1, Math.round(1000 * scale)),
    replicas: Math.max(1, Math.round(1000 * scale)),
    pods: Math.max(1, Math.round(10_000 * scale)),
    latencySeconds: Number(Deno.env.get("BENCH_LATENCY_SECONDS") ?? (scale < 1 ? 10 : 20)),
    requestsPerSecond: 50,
  };
}

/** Prints a figure (the caller's row format). */
export type RowPrinter = (name: string, value: string, target?: string) => void;

/** `BENCH_DEBUG=1` prints failed requests and per-kind latencies. */
const DEBUG = Boolean(Deno.env.get("BENCH_DEBUG"));
const NAMESPACE = "bench-api";
const APP_NAMESPACE = "bench-apps";
const NODE_PREFIX = "sim-node";
/** A /14 holds 1,024 node /24s; the default /16 only 256. */
const CLUSTER_CIDR = "10.64.0.0/14";

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every `everyMs` until it returns true; throws after `timeoutMs`. */
async function poll(
  what: string,
  check: () => Promise<boolean>,
  everyMs: number,
  timeoutMs: number,
  alive: () => void,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    alive();
    if (await check()) return;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await pause(everyMs);
  }
}

async function json<T>(
  session: http2.ClientHttp2Session,
  method: string,
  path: string,
  body?: unknown,
  contentType?: string,
): Promise<T> {
  const response = await http2Request(session, method, path, body, contentType);
  if (response.status >= 300) {
    throw new Error(`${method} ${path}: ${response.status} ${response.body.slice(0, 300)}`);
  }
  return JSON.parse(response.body) as T;
}

interface Condition {
  type: string;
  status: string;
}

const SIMULATED_NODES = "/api/v1/nodes?labelSelector=node.k3ts.io%2Fsimulated%3Dtrue";

/**
 * How many nodes have registered and taken their Lease (a node does both as it joins), from a
 * one-item page of Leases (the server counts the rest): polling full lists of 1,000 Nodes would
 * cost the server more than the joins it measures.
 */
async function registeredNodes(session: http2.ClientHttp2Session): Promise<number> {
  const page = await json<{ items: unknown[]; metadata: { remainingItemCount?: number } }>(
    session,
    "GET",
    "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases?limit=1",
  );
  return page.items.length + (page.metadata.remainingItemCount ?? 0);
}

/** How many simulated nodes are Ready. */
async function readyNodes(session: http2.ClientHttp2Session): Promise<number> {
  const list = await json<{ items: { status?: { conditions?: Condition[] } }[] }>(
    session,
    "GET",
    SIMULATED_NODES,
  );
  return list.items.filter((node) =>
    (node.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True")
  ).length;
}

/** One request kind of the latency stream. */
interface RequestKind {
  name: string;
  /** Sends request `i` of this kind; resolves with the status, undefined when it sent none. */
  send(i: number): Promise<number | undefined>;
}

/**
 * Typical client requests, round robin: what kubectl and controllers send most.
 * ConfigMaps created by the stream are deleted by it again, so the namespace stays the same size.
 */
function requestKinds(session: http2.ClientHttp2Session, nodes: number): RequestKind[] {
  const base = `/api/v1/namespaces/${NAMESPACE}/configmaps`;
  let created = 0;
  /** Names whose create succeeded and that no delete was sent for yet. */
  const deletable: string[] = [];
  const status = async (method: string, path: string, body?: unknown, type?: string) =>
    (await http2Request(session, method, path, body, type)).status;
  return [
    { name: "get ConfigMap", send: (i) => status("GET", `${base}/cm-${i % 100}`) },
    { name: "list ConfigMaps (100)", send: () => status("GET", base) },
    {
      name: "create ConfigMap",
      send: async () => {
        const name = `load-${created++}`;
        const code = await status("POST", base, {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name, labels: { bench: "load" } },
          data: { value: "x".repeat(512) },
        });
        if (code === 201) deletable.push(name);
        return code;
      },
    },
    {
      name: "list pods with fieldSelector spec.nodeName",
      send: (i) =>
        status(
          "GET",
          `/api/v1/pods?fieldSelector=spec.nodeName%3D${NODE_PREFIX}-${(i * 7) % nodes}`,
        ),
    },
    {
      name: "patch ConfigMap (merge)",
      send: (i) =>
        status(
          "PATCH",
          `${base}/cm-${i % 100}`,
          { data: { counter: String(i) } },
          "application/merge-patch+json",
        ),
    },
    { name: "get Node", send: (i) => status("GET", `/api/v1/nodes/${NODE_PREFIX}-${i % nodes}`) },
    {
      name: "delete ConfigMap",
      send: () => {
        const name = deletable.shift();
        return name ? status("DELETE", `${base}/${name}`) : Promise.resolve(undefined);
      },
    },
    {
      name: "list pods by label, limit 100",
      send: () =>
        status("GET", `/api/v1/namespaces/${APP_NAMESPACE}/pods?labelSelector=app%3Dweb&limit=100`),
    },
  ];
}

/** Latencies of an open-loop request stream. */
interface LatencyFigures {
  all: number[];
  byKind: Map<string, number[]>;
  /** Requests that failed or were refused. */
  errors: number;
  /** Requests not sent because {@link MAX_IN_FLIGHT} were still unanswered. */
  shed: number;
}

/**
 * Unanswered requests at which the stream stops sending more: at 50 requests/s a server within
 * its 50 ms target has one or two open; 16 means it is a third of a second behind. Unbounded,
 * an overloaded server would be sent list after list of 10,000 pods until it runs out of memory.
 */
const MAX_IN_FLIGHT = 16;

/**
 * Sends requests at a fixed rate for `seconds`, each on schedule whether or not earlier ones
 * answered (open loop: a slow server cannot slow the stream down and hide its own delay).
 */
async function latencyStream(
  kinds: RequestKind[],
  sizes: ClusterBenchSizes,
  alive: () => void,
): Promise<LatencyFigures> {
  const total = Math.round(sizes.latencySeconds * sizes.requestsPerSecond);
  const intervalMs = 1000 / sizes.requestsPerSecond;
  const figures: LatencyFigures = { all: [], byKind: new Map(), errors: 0, shed: 0 };
  const inFlight: Promise<void>[] = [];
  let open = 0;
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await pause(wait);
    alive();
    // A server that fell this far behind is overloaded; piling more on would only measure
    // the pile.
    if (open >= MAX_IN_FLIGHT) {
      figures.shed++;
      continue;
    }
    const kind = kinds[i % kinds.length];
    const round = Math.floor(i / kinds.length);
    const t0 = performance.now();
    open++;
    inFlight.push(
      kind.send(round).finally(() => open--).then((status) => {
        if (status === undefined) return;
        const ms = performance.now() - t0;
        if (status >= 300) {
          figures.errors++;
          if (DEBUG) console.error(`${kind.name}: ${status}`);
        }
        figures.all.push(ms);
        const list = figures.byKind.get(kind.name) ?? [];
        list.push(ms);
        figures.byKind.set(kind.name, list);
      }, (error) => {
        figures.errors++;
        if (DEBUG) console.error(`${kind.name}: ${error}`);
      }),
    );
  }
  await Promise.all(inFlight);
  return figures;
}

function printLatency(row: RowPrinter, label: string, figures: LatencyFigures): void {
  const p99 = percentile(figures.all, 99);
  row(
    label,
    `${percentile(figures.all, 50).toFixed(1)} / ${p99.toFixed(1)}`,
    verdict(p99 <= 50 && figures.errors === 0 && figures.shed === 0, "p99 <= 50") +
      (figures.errors ? ` (${figures.errors} errors)` : "") +
      (figures.shed ? ` (${figures.shed} not sent: ${MAX_IN_FLIGHT} unanswered)` : ""),
  );
  const worst = [...figures.byKind].map(([name, ms]) => ({ name, p99: percentile(ms, 99) }))
    .sort((a, b) => b.p99 - a.p99)[0];
  if (worst) row(`  slowest kind p99 (ms): ${worst.name}`, worst.p99.toFixed(1));
}

/** Creates what the latency stream reads and writes. */
async function seedApiObjects(session: http2.ClientHttp2Session): Promise<void> {
  for (const name of [NAMESPACE, APP_NAMESPACE]) {
    await json(session, "POST", "/api/v1/namespaces", { metadata: { name } });
  }
  await Promise.all(
    Array.from(
      { length: 100 },
      (_, i) =>
        json(session, "POST", `/api/v1/namespaces/${NAMESPACE}/configmaps`, {
          metadata: { name: `cm-${i}` },
          data: { value: "x".repeat(512) },
        }),
    ),
  );
}

interface DeploymentStatus {
  metadata: { generation?: number };
  status?: {
    observedGeneration?: number;
    availableReplicas?: number;
    updatedReplicas?: number;
    replicas?: number;
  };
}

/** Waits until the Deployment has `replicas` available; returns the milliseconds it took. */
async function untilAvailable(
  session: http2.ClientHttp2Session,
  replicas: number,
  since: number,
  alive: () => void,
): Promise<number> {
  const path = `/apis/apps/v1/namespaces/${APP_NAMESPACE}/deployments/web`;
  await poll(
    `Deployment web: ${replicas} replicas available`,
    async () => {
      const d = await json<DeploymentStatus>(session, "GET", path);
      const s = d.status ?? {};
      return s.observedGeneration === d.metadata.generation && s.availableReplicas === replicas &&
        s.updatedReplicas === replicas && s.replicas === replicas;
    },
    100,
    Math.max(120_000, replicas * 60),
    alive,
  );
  return performance.now() - since;
}

/**
 * The server's memory at rest (nodes heartbeating, no client traffic): right after a burst V8
 * still holds heap pages it gives back over the next seconds, so read it 20 s later.
 */
async function restingRssMb(pid: number, alive: () => void): Promise<number> {
  for (let waited = 0; waited < 20_000; waited += 2_000) {
    await pause(2_000);
    alive();
    if (DEBUG) console.error(`server RSS at rest after ${waited + 2_000} ms: ${rssMb(pid)} MB`);
  }
  return rssMb(pid);
}

/**
 * Runs the whole cluster bench and prints its rows as it goes.
 *
 * @param sizes What to simulate; {@link clusterSizes} gives the figures.
 * @param row Prints a row.
 */
export async function benchCluster(sizes: ClusterBenchSizes, row: RowPrinter): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "k3ts-bench-cluster-" });
  await Deno.writeTextFile(`${dataDir}/config.yaml`, "");
  let server: ServerProcess | undefined;
  let simulator: Deno.ChildProcess | undefined;
  let session: http2.ClientHttp2Session | undefined;
  const exited: string[] = [];
  /** Throws once either child has exited: every figure after that would be meaningless. */
  const alive = () => {
    if (exited.length > 0) throw new Error(`${exited.join(" and ")} during the cluster bench`);
  };
  try {
    server = await spawnServer(dataDir, freePort(), ["--cluster-cidr", CLUSTER_CIDR]);
    const serverPid = server.child.pid;
    server.child.status.then((status) =>
      exited.push(`k3ts server exited (code ${status.code}, signal ${status.signal})`)
    );
    const credentials = await readKubeconfig(`${dataDir}/kubeconfig.yaml`);
    session = connectHttp2(credentials);
    await seedApiObjects(session);

    // 1. Join.
    const memory = (label: string) => {
      if (DEBUG) console.error(`server RSS ${label}: ${rssMb(serverPid).toFixed(0)} MB`);
    };
    memory("before the join");
    const cpuBefore = {
      server: cpuSeconds(serverPid),
      serverJs: mainThreadCpuSeconds(serverPid),
      wall: performance.now(),
    };
    simulator = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        ...(Deno.env.get("BENCH_SIMULATE_DENO_FLAGS")?.split(" ").filter(Boolean) ?? []),
        CLI,
        "simulate",
        `--nodes=${sizes.nodes}`,
        `--server=${credentials.server}`,
        `--token-file=${dataDir}/server/token`,
        `--data-dir=${dataDir}/simulate`,
        `--name-prefix=${NODE_PREFIX}`,
        "--heartbeat-seconds=10",
        // Overload shows in the figures and in the Ready count at the end, not as a flood of
        // "Lease not renewed" lines.
        "--log-level=error",
      ],
      stdin: "null",
      stdout: "null",
      stderr: "inherit",
    }).spawn();
    const simulatorPid = simulator.pid;
    simulator.status.then((status) =>
      exited.push(`k3ts simulate exited (code ${status.code}, signal ${status.signal})`)
    );
    const s = session;
    await poll(
      `${sizes.nodes} simulated nodes Ready`,
      async () => {
        const registered = await registeredNodes(s);
        if (DEBUG) console.error(`registered nodes: ${registered}`);
        return registered >= sizes.nodes && await readyNodes(s) >= sizes.nodes;
      },
      1000,
      Math.max(120_000, sizes.nodes * 600),
      alive,
    );
    const joinMs = performance.now() - cpuBefore.wall;
    const joinServerCpu = cpuSeconds(serverPid) - cpuBefore.server;
    const joinServerJsCpu = mainThreadCpuSeconds(serverPid) - cpuBefore.serverJs;
    row(
      `${sizes.nodes} simulated nodes: spawn to all Ready (s)`,
      (joinMs / 1000).toFixed(1),
    );
    const perNode = (seconds: number) => (seconds * 1000 / sizes.nodes).toFixed(0);
    row(
      "  per node: wall / server CPU / simulator CPU (ms)",
      `${(joinMs / sizes.nodes).toFixed(0)} / ${perNode(joinServerCpu)} / ${
        perNode(cpuSeconds(simulatorPid))
      }`,
    );
    // scrypt runs on worker threads: the rest of the server's CPU is its JavaScript thread's.
    row(
      "  server CPU per node: JS thread / other threads (ms)",
      `${perNode(joinServerJsCpu)} / ${perNode(joinServerCpu - joinServerJsCpu)}`,
    );
    memory("after the join");

    // 2. API latency while the nodes heartbeat (let the join's tail settle first).
    await pause(5_000);
    alive();
    const kinds = requestKinds(session, sizes.nodes);
    const idle = await latencyStream(kinds, sizes, alive);
    printLatency(
      row,
      `API p50 / p99 (ms), ${sizes.nodes} nodes heartbeating, ${sizes.requestsPerSecond} req/s`,
      idle,
    );

    // 3. A Deployment from create to every replica available.
    const created = performance.now();
    await json(session, "POST", `/apis/apps/v1/namespaces/${APP_NAMESPACE}/deployments`, {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web" },
      spec: {
        replicas: sizes.replicas,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: {
            containers: [{
              name: "web",
              image: "registry.k8s.io/pause:3.10",
              resources: { requests: { cpu: "10m", memory: "16Mi" } },
            }],
          },
        },
      },
    });
    const deployMs = await untilAvailable(session, sizes.replicas, created, alive);
    memory(`with ${sizes.replicas} pods`);
    row(
      `Deployment of ${sizes.replicas}: create to all available (s)`,
      (deployMs / 1000).toFixed(1),
      `${(sizes.replicas / (deployMs / 1000)).toFixed(0)} pods/s`,
    );

    // 4. Scale to the pod count the memory target is set for.
    if (sizes.pods > sizes.replicas) {
      const scaled = performance.now();
      await json(
        session,
        "PATCH",
        `/apis/apps/v1/namespaces/${APP_NAMESPACE}/deployments/web`,
        { spec: { replicas: sizes.pods } },
        "application/merge-patch+json",
      );
      const scaleMs = await untilAvailable(session, sizes.pods, scaled, alive);
      memory(`with ${sizes.pods} pods`);
      row(
        `  scaled to ${sizes.pods}: all available (s)`,
        (scaleMs / 1000).toFixed(1),
        `${((sizes.pods - sizes.replicas) / (scaleMs / 1000)).toFixed(0)} pods/s`,
      );
    }
    // Memory before the second stream: its selector lists would leave their own garbage behind.
    const rss = await restingRssMb(serverPid, alive);
    row(
      `server RSS at rest, ${sizes.nodes} nodes and ${sizes.pods} pods (MB)`,
      rss.toFixed(0),
      verdict(rss <= 600, "<= 600") + ` (peak ${peakRssMb(serverPid).toFixed(0)})`,
    );
    const cpuBusy = cpuSeconds(serverPid);
    const busy = await latencyStream(kinds, sizes, alive);
    if (DEBUG) {
      console.error(`server CPU during stream: ${cpuSeconds(serverPid) - cpuBusy}`);
      for (const [k, v] of busy.byKind) console.error(k, percentile(v, 50), percentile(v, 99));
    }
    printLatency(
      row,
      `API p50 / p99 (ms), same with ${sizes.pods} pods Running`,
      busy,
    );
    row("  simulator RSS (MB)", rssMb(simulatorPid).toFixed(0));
    const ready = await readyNodes(session);
    row(
      "  nodes still Ready at the end (missed no heartbeat for 40 s)",
      `${ready} / ${sizes.nodes}`,
    );
  } finally {
    session?.close();
    if (simulator) await stopProcess(simulator);
    if (server) await stopProcess(server.child);
    await Deno.remove(dataDir, { recursive: true }).catch(() => undefined);
  }
}

if (import.meta.main) {
  const scale = Number(Deno.args[0] ?? Deno.env.get("BENCH_SCALE") ?? 1);
  await benchCluster(clusterSizes(scale), row);
}
