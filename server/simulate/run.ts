/**
 * `k3ts simulate`: joins the simulated nodes, keeps them alive until SIGTERM or SIGINT, then
 * stops their heartbeats and exits (the nodes turn NotReady on the server 40 s later).
 *
 * @module
 */
import { createLogger, type Logger } from "../log.ts";
import { JoinTokenError } from "../tls/mod.ts";
import { parseSimulateArgs, SIMULATE_HELP, SimulateUsageError } from "./options.ts";
import { type Simulation, startSimulation } from "./simulation.ts";

/** What {@link runSimulate} talks to besides its arguments (tests replace these). */
export interface RunSimulateIo {
  /** Stops the simulation; when omitted, SIGTERM and SIGINT do. */
  signal?: AbortSignal;
  /** Log output; stderr at `--log-level` when omitted. */
  logger?: Logger;
  /** Called once every node has joined. */
  onStarted?: (simulation: Simulation) => void;
  /** Help text and usage errors; the process's streams when omitted. */
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
}

/** The signal a stop request arrives on: the caller's, or SIGTERM/SIGINT. */
function stopSignal(io: RunSimulateIo): { signal: AbortSignal; release(): void } {
  if (io.signal) return { signal: io.signal, release() {} };
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  const signals: Deno.Signal[] = ["SIGTERM", "SIGINT"];
  for (const name of signals) Deno.addSignalListener(name, onSignal);
  return {
    signal: stop.signal,
    release: () => signals.forEach((name) => Deno.removeSignalListener(name, onSignal)),
  };
}

/**
 * Runs `k3ts simulate` until stopped.
 *
 * @param args The arguments after `simulate`.
 * @param io Stop signal, logger and output (the process's when omitted).
 * @returns The exit code: 0 after a clean stop, 1 when joining failed, 2 for usage errors.
 * @example
 * ```ts
 * Deno.exit(await runSimulate(["--nodes", "3", "--server", url, "--token", token]));
 * ```
 */
export async function runSimulate(args: string[], io: RunSimulateIo = {}): Promise<number> {
  const stdout = io.stdout ?? ((text: string) => console.log(text));
  const stderr = io.stderr ?? ((text: string) => console.error(text));
  let options;
  try {
    options = await parseSimulateArgs(args);
  } catch (error) {
    if (!(error instanceof SimulateUsageError)) throw error;
    stderr(`k3ts simulate: ${error.message}`);
    return 2;
  }
  if (options === "help") {
    stdout(SIMULATE_HELP);
    return 0;
  }
  const logger = io.logger ?? createLogger(options.logLevel);
  const stop = stopSignal(io);
  try {
    let simulation: Simulation;
    try {
      simulation = await startSimulation(options, { logger, signal: stop.signal });
    } catch (error) {
      if (stop.signal.aborted) return 0;
      const known = error instanceof JoinTokenError || (error as Error).name === "JoinError";
      logger.error("Simulated nodes could not join", { error: String(error) });
      if (!known) logger.debug("join failure detail", { stack: (error as Error).stack });
      return 1;
    }
    io.onStarted?.(simulation);
    if (!stop.signal.aborted) {
      await new Promise((resolve) =>
        stop.signal.addEventListener("abort", resolve, { once: true })
      );
    }
    logger.info("Stopping simulated nodes", { nodes: simulation.nodeNames.length });
    await simulation.close();
    return 0;
  } finally {
    stop.release();
  }
}

if (import.meta.main) Deno.exit(await runSimulate(Deno.args));
