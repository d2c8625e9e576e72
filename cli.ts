/**
 * `k3ts`: the one command. `server` runs a cluster, `agent` joins one, `kubectl` runs the
 * installed kubectl against the local cluster, `version` prints versions.
 *
 * @module
 */
import { ConfigError, defaultDirs, loadServerConfig, serverHelp } from "./server/config.ts";
import { startServer } from "./server/server.ts";
import { K3TS_VERSION, KUBERNETES_VERSION } from "./version.ts";

const HELP = `k3ts — lightweight Kubernetes in TypeScript

Usage: k3ts <command> [flags]

Commands:
  server     Run a server (API, datastore, supervisor)
  agent      Run an agent (not available yet)
  kubectl    Run kubectl with the admin kubeconfig of this machine's server
  version    Print versions

Run 'k3ts <command> --help' for a command's flags.
`;

function fail(message: string): never {
  console.error(`k3ts: ${message}`);
  Deno.exit(1);
}

async function runServer(args: string[]): Promise<void> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(serverHelp());
    return;
  }
  let config;
  try {
    config = await loadServerConfig(args);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  let server;
  try {
    server = await startServer(config);
  } catch (error) {
    fail(`server failed to start: ${(error as Error).message}`);
  }
  console.error(
    `k3ts: API ready at ${server.url}\n` +
      `k3ts: admin kubeconfig written to ${server.kubeconfigPath}\n` +
      `k3ts: try: kubectl --kubeconfig ${server.kubeconfigPath} get nodes,namespaces`,
  );
  const stopped = new Promise<void>((resolve) => {
    const stop = () => resolve();
    Deno.addSignalListener("SIGINT", stop);
    Deno.addSignalListener("SIGTERM", stop);
  });
  await stopped;
  console.error("k3ts: shutting down");
  await server.close();
  Deno.exit(0);
}

async function runKubectl(args: string[]): Promise<void> {
  const kubeconfig = Deno.env.get("KUBECONFIG") ?? `${defaultDirs().configDir}/k3ts.yaml`;
  let child;
  try {
    child = new Deno.Command("kubectl", {
      args,
      env: { KUBECONFIG: kubeconfig },
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      fail("kubectl is not installed (looked for it on PATH)");
    }
    throw error;
  }
  const status = await child.status;
  Deno.exit(status.code);
}

async function main(args: string[]): Promise<void> {
  const [command, ...rest] = args;
  switch (command) {
    case "server":
      return await runServer(rest);
    case "agent":
      fail("agent is not available yet: run 'k3ts server' for a single-node cluster");
      break;
    case "kubectl":
      return await runKubectl(rest);
    case "version":
    case "--version":
      console.log(
        `k3ts version ${K3TS_VERSION} (kubernetes ${KUBERNETES_VERSION}, deno ${Deno.version.deno})`,
      );
      return;
    case undefined:
    case "help":
    case "--help":
    case "-h":
      console.log(HELP);
      return;
    default:
      fail(`unknown command "${command}"\n\n${HELP}`);
  }
}

if (import.meta.main) await main(Deno.args);
