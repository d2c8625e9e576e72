/**
 * `k3ts simulate`: kwok-like nodes that join through the supervisor exactly as agents do and
 * act as `system:node:<name>` -- registering Nodes, renewing Leases, and running the pods bound
 * to them -- so the scheduler and controllers can be exercised and a control plane sized
 * without real machines.
 *
 * @example
 * ```ts
 * // cli.ts
 * case "simulate":
 *   return Deno.exit(await runSimulate(rest));
 * ```
 *
 * @module
 */
export { runSimulate, type RunSimulateIo } from "./run.ts";
export { type Simulation, type SimulationContext, startSimulation } from "./simulation.ts";
export {
  parseSimulateArgs,
  type PodWatchMode,
  SIMULATE_HELP,
  type SimulateOptions,
  SimulateUsageError,
} from "./options.ts";
export { SimulatedNode, type SimulatedNodeOptions } from "./simulated_node.ts";
export { EXIT_CODE_ANNOTATION } from "./pod_status.ts";
export { SIMULATED_KUBELET_VERSION, SIMULATED_LABEL } from "./node_objects.ts";
export { JoinError } from "./join.ts";
