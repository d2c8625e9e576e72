/**
 * The flags of `k3ts simulate`, parsed into {@link SimulateOptions}.
 *
 * @module
 */
import { defaultDirs } from "../config.ts";

/** How simulated nodes learn about their pods. */
export type PodWatchMode = "shared" | "per-node";

/** Everything a simulation is configured by. */
export interface SimulateOptions {
  /** How many nodes to simulate. */
  nodes: number;
  /** `https://host:port` of a server. */
  server: string;
  /** The join token (`K10<hash>::node:<secret>` or `::server:`). */
  token: string;
  /** Where node passwords are kept: `<dataDir>/nodes/<name>/password`. */
  dataDir: string;
  /** Nodes are named `<prefix>-<index>`. */
  namePrefix: string;
  /** The first index (several simulators can share a cluster with distinct ranges). */
  firstIndex: number;
  /** Lease renewal interval (upstream kubelet: 10 s). */
  heartbeatSeconds: number;
  /** How often node status is posted when nothing changed. */
  nodeStatusSeconds: number;
  /** How long pods with restartPolicy Never/OnFailure run before they finish. */
  podRunSeconds: number;
  /** Capacity of each node. */
  cpu: string;
  memory: string;
  maxPods: number;
  /** One shared pod watch for all nodes (default), or one per node as kubelets do. */
  podWatch: PodWatchMode;
  /** Joins in flight at once (the supervisor admits 10 mutating requests). */
  joinConcurrency: number;
  logLevel: "debug" | "info" | "warn" | "error";
}

/** A command-line mistake; the message says which. */
export class SimulateUsageError extends Error {
  /** @param message What is wrong. */
  constructor(message: string) {
    super(message);
    this.name = "SimulateUsageError";
  }
}

/** `k3ts simulate --help`. */
export const SIMULATE_HELP = `Simulate nodes: join fake kubelets to a cluster (as kwok does)

Usage: k3ts simulate --nodes N --server URL --token TOKEN [flags]

Each node joins through the supervisor like an agent (node password, kubelet client
certificate), registers its Node, renews its Lease and runs the pods bound to it: they become
Running/Ready with an IP from the node's pod CIDR; pods with restartPolicy Never or OnFailure
finish after --pod-run-seconds (Failed when annotation simulate.k3ts.io/exit-code is non-zero).
SIGTERM or SIGINT stops the heartbeats and exits; the nodes then turn NotReady.

Flags:
  --nodes N                 Number of nodes (required)
  --server URL              Server URL, https://host:port (required)
  --token TOKEN             Join token (required unless --token-file)
  --token-file PATH         File holding the join token
  --data-dir DIR            Where node passwords are kept (default <data-dir>/simulate)
  --name-prefix P           Node name prefix; nodes are P-0, P-1, ... (default sim-node)
  --first-index I           Index of the first node (default 0)
  --heartbeat-seconds S     Lease renewal interval (default 10)
  --node-status-seconds S   Node status interval when nothing changed (default 60)
  --pod-run-seconds S       Run time of pods that finish (default 2)
  --cpu Q                   CPU capacity per node (default 4)
  --memory Q                Memory capacity per node (default 16Gi)
  --max-pods N              Pod capacity per node (default 110)
  --pod-watch MODE          shared: one pod watch for all nodes (default);
                            per-node: one watch per node, as real kubelets
  --join-concurrency N      Joins in flight at once (default 8)
  --log-level LEVEL         debug, info, warn or error (default info)
`;

const VALUE_FLAGS = new Set([
  "nodes",
  "server",
  "token",
  "token-file",
  "data-dir",
  "name-prefix",
  "first-index",
  "heartbeat-seconds",
  "node-status-seconds",
  "pod-run-seconds",
  "cpu",
  "memory",
  "max-pods",
  "pod-watch",
  "join-concurrency",
  "log-level",
]);

const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const NAME_PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function numberFlag(
  flags: Map<string, string>,
  name: string,
  fallback: number,
  min: number,
  integer = true,
): number {
  const text = flags.get(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < min) {
    throw new SimulateUsageError(`--${name}: "${text}" is not a number >= ${min}`);
  }
  if (integer && !Number.isInteger(value)) {
    throw new SimulateUsageError(`--${name}: "${text}" is not a whole number`);
  }
  return value;
}

/**
 * Parses `k3ts simulate` flags (`--flag value` or `--flag=value`).
 *
 * @param args The arguments after `simulate`.
 * @returns The options, or `"help"` for `--help`.
 * @throws {SimulateUsageError} For unknown flags, missing required ones and bad values.
 * @example
 * ```ts
 * const options = await parseSimulateArgs(["--nodes", "3", "--server", url, "--token", token]);
 * ```
 */
export async function parseSimulateArgs(args: string[]): Promise<SimulateOptions | "help"> {
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--help" || arg === "-h") return "help";
    if (!arg.startsWith("--")) throw new SimulateUsageError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (!VALUE_FLAGS.has(name)) {
      throw new SimulateUsageError(`unknown flag --${name} (see k3ts simulate --help)`);
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined) throw new SimulateUsageError(`--${name} needs a value`);
    flags.set(name, value);
  }

  const nodes = numberFlag(flags, "nodes", 0, 1);
  if (!flags.has("nodes")) throw new SimulateUsageError("--nodes is required");
  const server = (flags.get("server") ?? "").replace(/\/+$/, "");
  if (!server) throw new SimulateUsageError("--server is required");
  if (!/^https:\/\/[^/]+$/.test(server)) {
    throw new SimulateUsageError(`--server: "${server}" is not an https://host:port URL`);
  }
  let token = flags.get("token");
  const tokenFile = flags.get("token-file");
  if (token === undefined && tokenFile !== undefined) {
    try {
      token = (await Deno.readTextFile(tokenFile)).trim();
    } catch (error) {
      throw new SimulateUsageError(
        `--token-file: ${tokenFile} cannot be read: ${(error as Error).message}`,
      );
    }
  }
  if (!token) throw new SimulateUsageError("--token (or --token-file) is required");
  const namePrefix = flags.get("name-prefix") ?? "sim-node";
  if (!NAME_PREFIX.test(namePrefix) || namePrefix.length > 200) {
    throw new SimulateUsageError(
      `--name-prefix: "${namePrefix}" must be lowercase letters, digits and '-'`,
    );
  }
  const cpu = flags.get("cpu") ?? "4";
  const memory = flags.get("memory") ?? "16Gi";
  for (const [name, value] of [["cpu", cpu], ["memory", memory]]) {
    if (!QUANTITY.test(value)) {
      throw new SimulateUsageError(`--${name}: "${value}" is not a quantity`);
    }
  }
  const podWatch = flags.get("pod-watch") ?? "shared";
  if (podWatch !== "shared" && podWatch !== "per-node") {
    throw new SimulateUsageError(`--pod-watch: "${podWatch}" is not shared or per-node`);
  }
  const logLevel = flags.get("log-level") ?? "info";
  if (logLevel !== "debug" && logLevel !== "info" && logLevel !== "warn" && logLevel !== "error") {
    throw new SimulateUsageError(`--log-level: "${logLevel}" is not debug, info, warn or error`);
  }
  return {
    nodes,
    server,
    token,
    dataDir: flags.get("data-dir") ?? `${defaultDirs().dataDir}/simulate`,
    namePrefix,
    firstIndex: numberFlag(flags, "first-index", 0, 0),
    heartbeatSeconds: numberFlag(flags, "heartbeat-seconds", 10, 0.05, false),
    nodeStatusSeconds: numberFlag(flags, "node-status-seconds", 60, 0.05, false),
    podRunSeconds: numberFlag(flags, "pod-run-seconds", 2, 0, false),
    cpu,
    memory,
    maxPods: numberFlag(flags, "max-pods", 110, 1),
    podWatch,
    joinConcurrency: numberFlag(flags, "join-concurrency", 8, 1),
    logLevel,
  };
}
