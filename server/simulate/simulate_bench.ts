/**
 * What simulated nodes cost: a real server in this process (with node IPAM and lifecycle), a
 * `k3ts simulate` child process per size, and the child's resident memory once every node is
 * Ready and a few heartbeats have passed. Each node has its own client certificate, hence its
 * own `Deno.HttpClient` and TLS connection: the per-node figure is what that costs.
 *
 * Run: `scripts/deno run -A server/simulate/simulate_bench.ts 1 100 1000`
 *
 * @module
 */
import { startTestCluster } from "../../tests/helpers/cluster.ts";
import { waitFor } from "../../tests/helpers/wait.ts";
import { startNodeIpam } from "../controllers/node_ipam.ts";
import { startNodeLifecycle } from "../controllers/node_lifecycle.ts";
import { silentLogger } from "../log.ts";
import { SIMULATED_LABEL } from "./node_objects.ts";

/** One measured size. */
export interface SimulatedNodeCost {
  nodes: number;
  /** From spawning the simulator until every node is Ready on the server. */
  joinMs: number;
  /** The simulator's resident memory, steady state. */
  simulatorRssMb: number;
  /** This process's (the server's) resident memory at the same moment. */
  serverRssMb: number;
}

/** VmRSS of a process, in MB (Linux). */
async function rssMb(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return Math.round(kb / 102.4) / 10;
}

/**
 * Measures the simulator's memory for each size, one fresh cluster per size.
 *
 * @param sizes Node counts, e.g. `[1, 100, 1000]`.
 * @param settleMs How long to let nodes heartbeat before sampling; 25 s when omitted.
 */
export async function benchSimulatedNodes(
  sizes: number[],
  settleMs = 25_000,
): Promise<SimulatedNodeCost[]> {
  const results: SimulatedNodeCost[] = [];
  const script = new URL("./run.ts", import.meta.url).pathname;
  for (const nodes of sizes) {
    await using cluster = await startTestCluster();
    const stop = new AbortController();
    const stores = cluster.server.stores;
    const loops = [
      startNodeIpam(stores, { signal: stop.signal, logger: silentLogger }),
      startNodeLifecycle(stores, { signal: stop.signal, logger: silentLogger }),
    ];
    const dataDir = await Deno.makeTempDir({ prefix: "k3ts-simulate-bench-" });
    const started = performance.now();
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        script,
        `--nodes=${nodes}`,
        `--server=${cluster.server.url}`,
        `--token=${cluster.server.token}`,
        `--data-dir=${dataDir}`,
        "--log-level=warn",
      ],
      stdin: "null",
      stdout: "null",
      stderr: "inherit",
    }).spawn();
    try {
      await waitFor(`${nodes} simulated nodes Ready`, async () => {
        const list = await stores.forKind("", "Node").list(undefined, {
          labelSelector: `${SIMULATED_LABEL}=true`,
        });
        const ready = list.items.filter((node) =>
          (node.status?.conditions ?? []).some((c: { type: string; status: string }) =>
            c.type === "Ready" && c.status === "True"
          )
        );
        return ready.length === nodes;
      }, 600_000);
      const joinMs = Math.round(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, settleMs));
      results.push({
        nodes,
        joinMs,
        simulatorRssMb: await rssMb(child.pid),
        serverRssMb: await rssMb(Deno.pid),
      });
    } finally {
      child.kill("SIGTERM");
      const status = await child.status;
      if (!status.success) console.error(`simulator exited ${status.code} after SIGTERM`);
      stop.abort();
      await Promise.all(loops);
      await Deno.remove(dataDir, { recursive: true });
    }
  }
  return results;
}

if (import.meta.main) {
  const sizes = Deno.args.length > 0 ? Deno.args.map(Number) : [1, 100];
  const results = await benchSimulatedNodes(sizes);
  const base = results.find((r) => r.nodes === 1);
  console.log(JSON.stringify(
    results.map((r) => ({
      ...r,
      ...(base && r.nodes > 1
        ? {
          simulatorKbPerNode: Math.round(
            (r.simulatorRssMb - base.simulatorRssMb) * 1024 / (r.nodes - 1),
          ),
        }
        : {}),
    })),
    null,
    2,
  ));
}
