/**
 * `k3ts simulate` run in-process next to a test cluster: N kwok-like nodes that join through
 * the supervisor, heartbeat, and run the pods bound to them.
 *
 * @module
 */
import { silentLogger } from "../../server/log.ts";
import { runSimulate } from "../../server/simulate/run.ts";
import type { Simulation } from "../../server/simulate/simulation.ts";
import type { TestCluster } from "./cluster.ts";
import { waitFor } from "./wait.ts";

/** Options of {@link simulateNodes}. */
export interface SimulatedNodesOptions {
  nodes: number;
  /** Where node passwords are kept. */
  dataDir: string;
  namePrefix?: string;
  /** More `k3ts simulate` flags. */
  extra?: string[];
}

/** Simulated nodes, stopped (heartbeats end, process state released) when disposed. */
export interface SimulatedNodes extends AsyncDisposable {
  simulation: Simulation;
  /** Resolves with the exit code once `k3ts simulate` ends. */
  exit: Promise<number>;
}

/** Starts `k3ts simulate` against the cluster and resolves once every node has joined. */
export async function simulateNodes(
  cluster: TestCluster,
  options: SimulatedNodesOptions,
): Promise<SimulatedNodes> {
  const stop = new AbortController();
  let simulation: Simulation | undefined;
  const exit = runSimulate([
    "--nodes",
    String(options.nodes),
    "--server",
    cluster.server.url,
    "--token",
    cluster.server.token,
    "--data-dir",
    options.dataDir,
    "--name-prefix",
    options.namePrefix ?? "sim",
    "--heartbeat-seconds",
    "0.5",
    "--pod-run-seconds",
    "0.2",
    ...(options.extra ?? []),
  ], { signal: stop.signal, logger: silentLogger, onStarted: (s) => simulation = s });
  const started = await Promise.race([
    waitFor("the simulated nodes to join", () => simulation, 30_000),
    exit.then((code) => {
      throw new Error(`simulate exited ${code} before the nodes joined`);
    }),
  ]);
  return {
    simulation: started,
    exit,
    async [Symbol.asyncDispose]() {
      stop.abort();
      await exit;
    },
  };
}
