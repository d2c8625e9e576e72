/**
 * `k3ts server` as a child process, for tests that kill or restart it and for the benches: the
 * one command line they all start it with (loopback only, quiet logs, the state and the admin
 * kubeconfig in one data directory).
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import denoConfig from "../../deno.json" with { type: "json" };
import { freePort } from "./cluster.ts";

/** The k3ts command line entry point. */
export const CLI = fileURLToPath(new URL("../../cli.ts", import.meta.url));

/**
 * The runtime flags of the `server` task (`--v8-flags=...`; its permission
 * flags aside), so tests and benches run the server as users do: the task is their one source.
 */
const SERVER_RUNTIME_FLAGS: string[] = denoConfig.tasks.server.split(/\s+/).filter((
  token,
) => token.startsWith("--") && !token.startsWith("--allow-"));

/**
 * Deno arguments that run `k3ts server` on 127.0.0.1:`port` with `<dataDir>/config.yaml` (the
 * caller writes it, empty is fine) and `<dataDir>/kubeconfig.yaml` as the admin kubeconfig.
 *
 * @param extraArgs More server flags, e.g. `["--node-name", "a"]`.
 * @param denoFlags Flags for deno itself, before the script (e.g. `--cpu-prof`).
 */
export function serverProcessArgs(
  dataDir: string,
  port: number,
  extraArgs: string[] = [],
  denoFlags: string[] = [],
): string[] {
  return [
    "run",
    "-A",
    ...SERVER_RUNTIME_FLAGS,
    ...denoFlags,
    CLI,
    "server",
    "--config",
    `${dataDir}/config.yaml`,
    "--data-dir",
    dataDir,
    "--https-listen-port",
    String(port),
    "--bind-address",
    "127.0.0.1",
    "--write-kubeconfig",
    `${dataDir}/kubeconfig.yaml`,
    "--log-level",
    "error",
    ...extraArgs,
  ];
}

/** A `k3ts server` child process and where it keeps its state. */
export interface ServerChild {
  /** Holds `config.yaml` (empty), the state and `kubeconfig.yaml`. */
  dataDir: string;
  port: number;
  child: Deno.ChildProcess;
}

/**
 * Starts `k3ts server` as a child process on a free port, in a fresh data dir named with
 * `prefix`, its output discarded. The caller kills it and removes the data dir.
 */
export async function spawnServerProcess(
  prefix: string,
  extraArgs: string[] = [],
): Promise<ServerChild> {
  const dataDir = await Deno.makeTempDir({ prefix });
  const port = freePort();
  await Deno.writeTextFile(`${dataDir}/config.yaml`, "");
  const child = new Deno.Command(Deno.execPath(), {
    args: serverProcessArgs(dataDir, port, extraArgs),
    stdout: "null",
    stderr: "null",
  }).spawn();
  return { dataDir, port, child };
}
